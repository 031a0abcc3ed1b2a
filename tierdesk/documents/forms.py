"""Forms of the documents app: sending for signature, signing, verifying."""

from django import forms

from tierdesk.clients.models import Agreement
from tierdesk.documents.models import SignedDocument


class AgreementSendForm(forms.Form):
    """Who signs, and the acknowledgement of any feasibility warnings."""

    contact = forms.ModelChoiceField(queryset=None, label="Send to",
                                     help_text="Contacts of the client who may sign.")
    acknowledge = forms.BooleanField(
        required=False,
        label="I acknowledge the warnings above and want to send the agreement anyway",
    )
    note = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}),
                           label="Note (why the warnings are acceptable)")
    expires_in_days = forms.IntegerField(initial=14, min_value=1, max_value=90,
                                         label="Link valid for (days)")

    def __init__(self, *args, agreement: Agreement, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contact"].queryset = agreement.client.contacts.filter(can_sign=True)
        for name, field in self.fields.items():
            field.widget.attrs.setdefault(
                "class", "form-check-input" if name == "acknowledge" else "form-control")
        self.fields["contact"].widget.attrs["class"] = "form-select"


class AgreementSignForm(forms.Form):
    """The signer's typed name and consent to sign electronically."""

    typed_name = forms.CharField(
        max_length=150, required=False, label="Your full name",
        widget=forms.TextInput(attrs={"class": "form-control", "autocomplete": "name"}),
    )
    consent = forms.BooleanField(
        required=False,
        label=("I agree to sign electronically; typing my name above has the same effect as "
               "my handwritten signature on this agreement."),
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )


class SignedDocumentVerifyForm(forms.Form):
    """Verify an uploaded PDF, or the stored file of a signed document."""

    pdf = forms.FileField(required=False, label="Upload a PDF to check",
                          widget=forms.ClearableFileInput(attrs={"class": "form-control",
                                                                 "accept": ".pdf"}))
    document = forms.ModelChoiceField(
        queryset=SignedDocument.objects.select_related("agreement__client"), required=False,
        label="…or check a stored signed document",
        widget=forms.Select(attrs={"class": "form-select"}),
    )

    MAX_BYTES = 20 * 1024 * 1024

    def clean(self):
        data = super().clean()
        if bool(data.get("pdf")) == bool(data.get("document")):
            raise forms.ValidationError("Upload a PDF or pick a signed document (one of the two).")
        upload = data.get("pdf")
        if upload and upload.size > self.MAX_BYTES:
            self.add_error("pdf", "the file is larger than 20 MB")
        return data

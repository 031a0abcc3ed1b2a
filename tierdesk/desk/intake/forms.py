"""Forms of the e-mail triage page."""

from django import forms

from tierdesk.clients.models import Client, Contact


class EmailTriageAssignForm(forms.Form):
    """Who a held message is from: a client, and optionally which of its contacts."""

    client = forms.ModelChoiceField(queryset=Client.objects.filter(is_active=True)
                                    .order_by("name"))
    contact = forms.ModelChoiceField(queryset=Contact.objects.select_related("client")
                                     .order_by("client__name", "name"), required=False)

    def clean(self):
        data = super().clean()
        client, contact = data.get("client"), data.get("contact")
        if client and contact and contact.client_id != client.pk:
            self.add_error("contact", "the contact belongs to another client")
        return data


class EmailTriageRejectForm(forms.Form):
    reason = forms.CharField(max_length=300, help_text="e.g. spam, a newsletter, a loop")

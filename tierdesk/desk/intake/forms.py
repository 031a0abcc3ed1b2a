"""Forms of the intake triage page."""

from django import forms

from tierdesk.clients.models import Client, Contact
from tierdesk.desk.models import InboundSource


class InboundTriageFilterForm(forms.Form):
    """The triage list's source filter ("" = every source)."""

    source = forms.ChoiceField(choices=[("", "All sources"), *InboundSource.choices],
                               required=False)


class InboundTriageAssignForm(forms.Form):
    """Who a held request is from: a client, and optionally which of its contacts (an
    alert ignores the contact)."""

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


class InboundTriageRejectForm(forms.Form):
    reason = forms.CharField(max_length=300, help_text="e.g. spam, a wrong number, a test")


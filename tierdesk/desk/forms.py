"""Forms of the desk's staff pages: they parse input only; services validate and write."""

from django import forms
from django.utils.html import format_html, format_html_join

from tierdesk.clients.forms import BootstrapMixin
from tierdesk.clients.models import Client, Contact, Site
from tierdesk.desk.models import IntakeChannel, TicketType
from tierdesk.desk.selectors import workers
from tierdesk.plans.models import Priority


class QuickSelect(forms.Select):
    """A <select> rendered in Python. Django renders every <option> through the template
    engine, which made the queue's client filter (hundreds of clients) cost more than the
    queue query itself."""

    def render(self, name, value, attrs=None, renderer=None):
        attrs = self.build_attrs(self.attrs, attrs)
        selected = "" if value is None else str(value)
        options = format_html_join(
            "", '<option value="{}"{}>{}</option>',
            ((v, " selected" if str(v) == selected else "", label)
             for v, label in ((str(getattr(v, "value", v)), label) for v, label in self.choices)),
        )
        attr_html = format_html_join("", ' {}="{}"', ((k, v) for k, v in attrs.items()
                                                      if v is not None and v is not False))
        return format_html('<select name="{}"{}>{}</select>', name, attr_html, options)


class TextForm(BootstrapMixin, forms.Form):
    """A reply, a note or a logged call."""

    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), label="Text")


class TransitionForm(forms.Form):
    to = forms.CharField()
    reason = forms.CharField(required=False, max_length=500)


class AssignForm(BootstrapMixin, forms.Form):
    """Choose who works a ticket. Plain choices read with one query: a ModelChoiceField
    iterates its queryset with a server-side cursor on PostgreSQL, a round trip more on
    every ticket page."""

    assignee = forms.TypedChoiceField(required=False, coerce=int, empty_value=None,
                                      widget=QuickSelect)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].choices = [("", "Unassigned")] + [
            (pk, f"{first} {last}".strip() or username)
            for pk, username, first, last in workers().values_list(
                "id", "username", "first_name", "last_name")
        ]

    def clean_assignee(self):
        pk = self.cleaned_data["assignee"]
        return workers().get(pk=pk) if pk else None


class PriorityForm(BootstrapMixin, forms.Form):
    priority = forms.ChoiceField(choices=Priority.choices, widget=QuickSelect)


#: Channels a dispatcher logs on a client's behalf.
STAFF_CHANNELS = [(c.value, c.label) for c in (IntakeChannel.PHONE_ATTENDANT,
                                               IntakeChannel.HOTLINE, IntakeChannel.WALK_IN,
                                               IntakeChannel.EMAIL)]


class TicketCreateForm(BootstrapMixin, forms.Form):
    """A dispatcher logs a phone call or walk-in. Contacts and sites are those of the chosen
    client (the page reloads them when the client changes)."""

    client = forms.ModelChoiceField(queryset=Client.objects.filter(is_active=True))
    channel = forms.ChoiceField(choices=STAFF_CHANNELS, initial=IntakeChannel.PHONE_ATTENDANT)
    contact = forms.ModelChoiceField(queryset=Contact.objects.none(), required=False)
    site = forms.ModelChoiceField(queryset=Site.objects.none(), required=False)
    subject = forms.CharField(max_length=250)
    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 5}), required=False,
                           label="What the client said")
    priority = forms.ChoiceField(choices=Priority.choices, initial=Priority.NORMAL)
    type = forms.ChoiceField(choices=TicketType.choices, initial=TicketType.HELPDESK)
    needs_onsite = forms.BooleanField(required=False, label="Needs on-site work")

    def __init__(self, *args, client_id=None, **kwargs):
        super().__init__(*args, **kwargs)
        if client_id:
            self.fields["contact"].queryset = Contact.objects.filter(client_id=client_id)
            self.fields["site"].queryset = Site.objects.filter(client_id=client_id)
        self.fields["client"].widget.attrs.update({
            "hx-get": "", "hx-trigger": "change", "hx-target": "#ticket-form",
            "hx-select": "#ticket-form", "hx-swap": "outerHTML", "hx-include": "closest form",
        })

"""Forms of the client portal. They parse input only; desk.services validates and writes,
and `add_service_errors` puts a service's field-named error back on the form."""

from django import forms

from tierdesk.clients.forms import BootstrapMixin
from tierdesk.clients.models import Client, Site
from tierdesk.plans.models import Priority

#: The priorities a contact may choose. Priority sets the MSP's contractual clock, and P1/P2
#: mean "the business is stopped" by the MSP's own definition: a dispatcher sets them after
#: triage (a change recomputes the clock from the ticket's creation, so nothing is lost by
#: starting at P3). Letting every requester pick P1 makes every ticket P1 and the queue's
#: urgency order meaningless. Urgent trouble goes to the phone channels the tier includes,
#: which the page names.
CONTACT_PRIORITIES = (
    (Priority.NORMAL, "Normal — something is not working as it should"),
    (Priority.LOW, "Low — a question or a request that can wait"),
)


class PortalTicketForm(BootstrapMixin, forms.Form):
    """A new ticket from a contact: subject, description, priority (P3/P4) and site."""

    subject = forms.CharField(max_length=250)
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 6}),
                                  help_text="What happened, since when, and who is affected.")
    priority = forms.ChoiceField(choices=CONTACT_PRIORITIES, initial=Priority.NORMAL)
    site = forms.ModelChoiceField(queryset=Site.objects.none(), required=False,
                                  empty_label="(not site-specific)",
                                  help_text="Where the problem is, if it is in one place.")

    def __init__(self, *args, client: Client, **kwargs):
        super().__init__(*args, **kwargs)
        sites = Site.objects.filter(client=client).order_by("name")
        self.fields["site"].queryset = sites
        # One site is the answer for most small clients: preselect it.
        only = list(sites[:2])
        if len(only) == 1:
            self.fields["site"].initial = only[0].pk


class PortalReplyForm(BootstrapMixin, forms.Form):
    """A contact writes again on one of its tickets."""

    body = forms.CharField(label="Your reply", widget=forms.Textarea(attrs={"rows": 4}))

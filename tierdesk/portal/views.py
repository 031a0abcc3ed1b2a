"""The client portal: a contact sees its own client's agreements and tickets, opens tickets,
replies to them and reads their public timeline.

Every object is fetched through the access helpers of clients, documents and desk
(`ticket_for_contact`, `tickets_for_contact`), so another client's agreement or ticket is a
404; every write goes through desk.services. Internal notes, status-change reasons and the
MSP's other internal entries are never shown here: the timeline holds public entries only.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from tierdesk.billing.selectors import approval_pending_for_client, ledger_summary
from tierdesk.clients.access import agreement_for_contact, agreements_for_contact, contact_client
from tierdesk.clients.forms import add_service_errors
from tierdesk.clients.models import Agreement, Client
from tierdesk.clients.selectors import CURRENT
from tierdesk.core.msp import msp_identity
from tierdesk.core.permissions import contact_view
from tierdesk.desk import services as desk
from tierdesk.desk.access import ticket_for_contact, tickets_for_contact
from tierdesk.desk.models import IntakeChannel, Ticket, TicketStatus
from tierdesk.desk.selectors import public_timeline
from tierdesk.documents.access import signed_document_for_contact
from tierdesk.documents.agreement_document import agreement_document_context
from tierdesk.documents.selectors import signed_agreement_ids
from tierdesk.documents.views import signed_pdf_response
from tierdesk.plans.models import Channel
from tierdesk.portal.forms import PortalReplyForm, PortalTicketForm

PAGE_SIZE = 25
#: Statuses as the client reads them: "waiting on client" is "waiting on you" there.
STATUS_FOR_CLIENT = {
    TicketStatus.NEW: "Received",
    TicketStatus.OPEN: "In progress",
    TicketStatus.WAITING_CLIENT: "Waiting on you",
    TicketStatus.WAITING_VENDOR: "Waiting on a supplier",
    TicketStatus.RESOLVED: "Resolved",
    TicketStatus.CLOSED: "Closed",
}
OPEN_STATUSES = (TicketStatus.NEW, TicketStatus.OPEN, TicketStatus.WAITING_CLIENT,
                 TicketStatus.WAITING_VENDOR)


def _current_agreement(client: Client) -> Agreement | None:
    return (Agreement.objects.filter(client=client, status__in=CURRENT)
            .select_related("plan_version__plan").order_by("-start_date", "-id").first())


def _allowance(client: Client) -> dict:
    """The channels of the client's current tier, each with how to use it: "your tier
    includes e-mail, portal, phone attendant"."""
    agreement = _current_agreement(client)
    if agreement is None:
        return {"agreement": None, "channels": [], "includes_portal": False, "text": ""}
    version = agreement.plan_version
    msp = msp_identity()
    how = {
        Channel.EMAIL: msp.email,
        Channel.PORTAL: "here, with “Open a ticket”",
        Channel.PHONE_ATTENDANT: msp.phone,
        Channel.HOTLINE: msp.hotline,
    }
    codes = [c for c in Channel.values if c in (version.channels or [])]
    channels = [{"code": c, "label": Channel(c).label, "how": how.get(c, "")} for c in codes]
    return {
        "agreement": agreement,
        "tier": version.plan.name,
        "hours_label": version.hours_label,
        "channels": channels,
        "includes_portal": Channel.PORTAL in codes,
        "text": ", ".join(ch["label"] for ch in channels),
        "instructions": version.channel_instructions,
    }


def _for_client(tickets) -> list[Ticket]:
    tickets = list(tickets)
    for ticket in tickets:
        ticket.client_status = STATUS_FOR_CLIENT.get(ticket.status, ticket.get_status_display())
    return tickets


@contact_view
def home(request):
    client = contact_client(request.user)
    agreements = list(agreements_for_contact(request.user))
    signed_ids = signed_agreement_ids(agreements)
    for agreement in agreements:
        agreement.has_signed_pdf = agreement.pk in signed_ids
    open_tickets = _for_client(
        tickets_for_contact(request.user).filter(status__in=OPEN_STATUSES)[:5])
    return render(request, "portal/home.html", {
        "client": client, "agreements": agreements, "open_tickets": open_tickets,
        "allowance": _allowance(client),
        "help_desk": ledger_summary(client=client),
        "pending_approvals": approval_pending_for_client(client).count(),
    })


@contact_view
def agreement_detail(request, pk: int):
    agreement = agreement_for_contact(request.user, pk)
    context = agreement_document_context(agreement)
    context["has_signed_pdf"] = bool(signed_agreement_ids([agreement]))
    return render(request, "portal/agreement_detail.html", context)


@contact_view
def signed_pdf(request, pk: int):
    return signed_pdf_response(signed_document_for_contact(request.user, pk))


@contact_view
def ticket_list(request):
    """The client's tickets, open ones by default (`?show=all` for every one)."""
    client = contact_client(request.user)
    show = request.GET.get("show", "open")
    tickets = tickets_for_contact(request.user)
    if show != "all":
        tickets = tickets.filter(status__in=OPEN_STATUSES)
    page = Paginator(tickets, PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = _for_client(page.object_list)
    return render(request, "portal/ticket_list.html", {
        "client": client, "page": page, "tickets": page.object_list, "show": show,
        "allowance": _allowance(client),
    })


@contact_view
def ticket_new(request):
    """Open a ticket through the portal channel. A tier without the portal still gets the
    ticket (flagged "outside entitlement" by ticket_open, which also tells the contact by
    e-mail); the page says which channels are theirs, before and after."""
    client = contact_client(request.user)
    allowance = _allowance(client)
    form = PortalTicketForm(request.POST or None, client=client)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            ticket = desk.ticket_open(
                client=client, channel=IntakeChannel.PORTAL, subject=data["subject"],
                body=data["description"], contact=request.user.contact, site=data["site"],
                priority=data["priority"], by=None,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"We received your request {ticket.reference}.")
            if ticket.outside_entitlement:
                _, instructions = desk.channel_entitlement(client=client,
                                                           channel=IntakeChannel.PORTAL)
                messages.warning(request, instructions)
            return redirect("portal:ticket_detail", pk=ticket.pk)
    return render(request, "portal/ticket_form.html", {
        "client": client, "form": form, "allowance": allowance,
    })


def _detail_context(request, ticket: Ticket, reply_form: PortalReplyForm) -> dict:
    entries = public_timeline(ticket)
    instructions = ""
    if ticket.outside_entitlement:
        _, instructions = desk.channel_entitlement(client=ticket.client, channel=ticket.channel)
    ticket.client_status = STATUS_FOR_CLIENT.get(ticket.status, ticket.get_status_display())
    return {
        "client": ticket.client, "ticket": ticket, "entries": entries, "form": reply_form,
        "can_reply": ticket.status != TicketStatus.CLOSED, "instructions": instructions,
    }


@contact_view
def ticket_detail(request, pk: int):
    ticket = ticket_for_contact(request.user, pk)
    return render(request, "portal/ticket_detail.html",
                  _detail_context(request, ticket, PortalReplyForm()))


@contact_view
@require_POST
def ticket_reply(request, pk: int):
    """The contact writes again. On a ticket waiting on the client this resumes it
    (ticket_client_message moves it back to in progress and restarts the clock)."""
    ticket = ticket_for_contact(request.user, pk)
    form = PortalReplyForm(request.POST)
    if form.is_valid():
        try:
            desk.ticket_client_message(ticket=ticket, body=form.cleaned_data["body"],
                                       channel=IntakeChannel.PORTAL,
                                       contact=request.user.contact)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "Your reply was added.")
            return redirect("portal:ticket_detail", pk=ticket.pk)
    ticket = ticket_for_contact(request.user, pk)
    return render(request, "portal/ticket_detail.html",
                  _detail_context(request, ticket, form), status=400)

"""The only way to fetch a client or an agreement for a user.

Staff (any MSP role) may fetch any client; a client contact only its own client's objects,
and never a draft agreement (drafts are the MSP's internal work). Everything else — another
client's object, a user who is neither, an unknown id — is Http404, so an outsider cannot
even learn that an id exists.
"""

from django.db.models import QuerySet
from django.http import Http404

from tierdesk.clients import selectors
from tierdesk.clients.models import Agreement, AgreementStatus, Client, Contact, Site


def _require_staff(user) -> None:
    if not (user.is_authenticated and user.is_msp_staff):
        raise Http404("No such object.")


def _get(queryset: QuerySet, pk):
    try:
        return queryset.get(pk=pk)
    except (queryset.model.DoesNotExist, ValueError, TypeError):
        raise Http404("No such object.") from None


def client_for_staff(user, pk) -> Client:
    _require_staff(user)
    return _get(Client.objects.select_related("segment"), pk)


def site_for_staff(user, client_pk, pk) -> Site:
    _require_staff(user)
    return _get(Site.objects.select_related("client").filter(client_id=client_pk), pk)


def contact_for_staff(user, client_pk, pk) -> Contact:
    _require_staff(user)
    return _get(Contact.objects.select_related("client", "user").filter(client_id=client_pk), pk)


def agreement_for_staff(user, pk) -> Agreement:
    _require_staff(user)
    return _get(
        Agreement.objects.select_related(
            "client__segment", "plan_version__plan", "replaces__plan_version__plan",
            "feasibility_acknowledged_by",
        ),
        pk,
    )


def contact_client(user) -> Client:
    """The client whose contact `user` is; Http404 when the user is not an active contact."""
    if not (user.is_authenticated and user.is_client_contact):
        raise Http404("No such client.")
    client = Client.objects.select_related("segment").filter(contacts__user=user).first()
    if client is None:
        raise Http404("No such client.")
    return client


def client_for_contact(user, pk) -> Client:
    client = contact_client(user)
    if str(client.pk) != str(pk):
        raise Http404("No such client.")
    return client


def agreements_for_contact(user) -> QuerySet[Agreement]:
    """The agreements a contact may see: its own client's, drafts excluded."""
    return (Agreement.objects.filter(client=contact_client(user))
            .exclude(status=AgreementStatus.DRAFT)
            .select_related("client", "plan_version__plan"))


def agreement_for_contact(user, pk) -> Agreement:
    return _get(agreements_for_contact(user), pk)


def contact_with_site_for_contact(user, site_id: int | None) -> tuple[Contact, Site | None]:
    """A contact user's own Contact (with its `client`), and its client's site `site_id`
    (None when not given or another client's: the caller names the field). Http404 when the
    user is not an active contact, as `contact_client`. One query (ticket opening)."""
    if not (user.is_authenticated and user.is_client_contact):
        raise Http404("No such client.")
    contact, site = selectors.user_contact_with_site(user_id=user.pk, site_id=site_id)
    if contact is None:
        raise Http404("No such client.")
    contact.user = user  # as `user.contact` would have it, without reading the user again
    return contact, site

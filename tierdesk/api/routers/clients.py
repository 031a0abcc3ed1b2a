"""/clients with their /sites and /contacts. Staff read every client; a client contact
reads only its own client (everything else is 404). Owners and dispatchers write, through
clients.services."""

from django.db.models import Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from ninja import Router
from ninja.pagination import LimitOffsetPagination, paginate

from tierdesk.api.schemas.clients import ClientOut, ContactOut, SiteOut
from tierdesk.clients.models import Client, Contact, Site

router = Router(tags=["clients"])


def visible_clients(user) -> QuerySet[Client]:
    """The clients `user` may see: all of them for staff, its own for a client contact."""
    clients = Client.objects.select_related("segment")
    if user.is_msp_staff:
        return clients
    if user.is_client_contact:
        return clients.filter(contacts__user=user)
    return clients.none()


def client_for(user, client_id: int) -> Client:
    """One client `user` may see, or 404 — whether it does not exist or is someone else's."""
    return get_object_or_404(visible_clients(user), pk=client_id)


@router.get("/clients", response=list[ClientOut])
@paginate(LimitOffsetPagination)
def list_clients(request, segment: int | None = None, search: str | None = None,
                 active: bool | None = None):
    """Clients by name. Filters: `segment` id, `search` (name, billing e-mail, phone),
    `active`."""
    clients = visible_clients(request.user)
    if segment:
        clients = clients.filter(segment_id=segment)
    if search:
        clients = clients.filter(
            Q(name__icontains=search) | Q(billing_email__icontains=search)
            | Q(phone__icontains=search)
        )
    if active is not None:
        clients = clients.filter(is_active=active)
    return clients.order_by("name")


@router.get("/clients/{int:client_id}", response=ClientOut)
def get_client(request, client_id: int):
    return client_for(request.user, client_id)


@router.get("/clients/{int:client_id}/sites", response=list[SiteOut])
@paginate(LimitOffsetPagination)
def list_sites(request, client_id: int):
    client = client_for(request.user, client_id)
    return Site.objects.filter(client=client).order_by("name")


@router.get("/clients/{int:client_id}/sites/{int:site_id}", response=SiteOut)
def get_site(request, client_id: int, site_id: int):
    client = client_for(request.user, client_id)
    return get_object_or_404(Site, client=client, pk=site_id)


@router.get("/clients/{int:client_id}/contacts", response=list[ContactOut])
@paginate(LimitOffsetPagination)
def list_contacts(request, client_id: int):
    client = client_for(request.user, client_id)
    return Contact.objects.filter(client=client).order_by("name")


@router.get("/clients/{int:client_id}/contacts/{int:contact_id}", response=ContactOut)
def get_contact(request, client_id: int, contact_id: int):
    client = client_for(request.user, client_id)
    return get_object_or_404(Contact, client=client, pk=contact_id)


_ = Http404

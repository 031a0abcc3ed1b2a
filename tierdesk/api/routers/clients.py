"""/clients with their /sites and /contacts. Staff read every client; a client contact
reads only its own client (everything else is 404). Owners and dispatchers write, through
clients.services."""

from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404
from ninja import Router, Status
from ninja.pagination import LimitOffsetPagination, paginate

from tierdesk.api.auth import CLIENT_WRITERS, require_role
from tierdesk.api.lookups import lookup
from tierdesk.api.schemas.clients import (
    ClientIn,
    ClientOut,
    ClientPatch,
    ContactIn,
    ContactOut,
    ContactPatch,
    SiteIn,
    SiteOut,
    SitePatch,
)
from tierdesk.catalog.models import Segment
from tierdesk.clients import access, services
from tierdesk.clients.models import Client, Contact, Site

router = Router(tags=["clients"])


def visible_clients(user) -> QuerySet[Client]:
    """The clients `user` may list: all of them for staff, its own for a client contact."""
    clients = Client.objects.select_related("segment")
    if user.is_msp_staff:
        return clients
    if user.is_client_contact:
        return clients.filter(contacts__user=user)
    return clients.none()


def client_for(user, client_id: int) -> Client:
    """One client `user` may see, or 404 — whether it does not exist or is someone else's."""
    if user.is_msp_staff:
        return access.client_for_staff(user, client_id)
    return access.client_for_contact(user, client_id)


def _writable_client(request, client_id: int) -> Client:
    require_role(request, CLIENT_WRITERS, "clients")
    return access.client_for_staff(request.user, client_id)


def _with_segment(data: dict) -> dict:
    if "segment_id" in data:
        data["segment"] = lookup(Segment.objects.all(), data.pop("segment_id"), "segment_id")
    return data


# --- clients -------------------------------------------------------------------------------


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


@router.post("/clients", response={201: ClientOut})
def create_client(request, payload: ClientIn):
    """Add a client (owner, dispatcher). `timezone` is an IANA zone."""
    require_role(request, CLIENT_WRITERS, "clients")
    client = services.client_create(by=request.user, **_with_segment(payload.model_dump()))
    return Status(201, access.client_for_staff(request.user, client.pk))


@router.get("/clients/{int:client_id}", response=ClientOut)
def get_client(request, client_id: int):
    return client_for(request.user, client_id)


@router.patch("/clients/{int:client_id}", response=ClientOut)
def update_client(request, client_id: int, payload: ClientPatch):
    """Change the fields given (owner, dispatcher)."""
    client = _writable_client(request, client_id)
    data = _with_segment(payload.model_dump(exclude_unset=True))
    services.client_update(client=client, by=request.user, **data)
    return access.client_for_staff(request.user, client.pk)


# --- sites ---------------------------------------------------------------------------------


@router.get("/clients/{int:client_id}/sites", response=list[SiteOut])
@paginate(LimitOffsetPagination)
def list_sites(request, client_id: int):
    client = client_for(request.user, client_id)
    return Site.objects.filter(client=client).order_by("name")


@router.post("/clients/{int:client_id}/sites", response={201: SiteOut})
def create_site(request, client_id: int, payload: SiteIn):
    client = _writable_client(request, client_id)
    site = services.site_create(client=client, by=request.user, **payload.model_dump())
    return Status(201, site)


@router.get("/clients/{int:client_id}/sites/{int:site_id}", response=SiteOut)
def get_site(request, client_id: int, site_id: int):
    client = client_for(request.user, client_id)
    # The client is already scoped to the caller; the row only has to be one of its own.
    return get_object_or_404(Site, client=client, pk=site_id)


@router.patch("/clients/{int:client_id}/sites/{int:site_id}", response=SiteOut)
def update_site(request, client_id: int, site_id: int, payload: SitePatch):
    client = _writable_client(request, client_id)
    site = access.site_for_staff(request.user, client.pk, site_id)
    return services.site_update(site=site, by=request.user,
                                **payload.model_dump(exclude_unset=True))


# --- contacts ------------------------------------------------------------------------------


@router.get("/clients/{int:client_id}/contacts", response=list[ContactOut])
@paginate(LimitOffsetPagination)
def list_contacts(request, client_id: int):
    client = client_for(request.user, client_id)
    return Contact.objects.filter(client=client).order_by("name")


@router.post("/clients/{int:client_id}/contacts", response={201: ContactOut})
def create_contact(request, client_id: int, payload: ContactIn):
    """Add a contact (no portal login; invite them from the client page)."""
    client = _writable_client(request, client_id)
    contact = services.contact_create(client=client, by=request.user, **payload.model_dump())
    return Status(201, contact)


@router.get("/clients/{int:client_id}/contacts/{int:contact_id}", response=ContactOut)
def get_contact(request, client_id: int, contact_id: int):
    client = client_for(request.user, client_id)
    return get_object_or_404(Contact, client=client, pk=contact_id)


@router.patch("/clients/{int:client_id}/contacts/{int:contact_id}", response=ContactOut)
def update_contact(request, client_id: int, contact_id: int, payload: ContactPatch):
    client = _writable_client(request, client_id)
    contact = access.contact_for_staff(request.user, client.pk, contact_id)
    return services.contact_update(contact=contact, by=request.user,
                                   **payload.model_dump(exclude_unset=True))


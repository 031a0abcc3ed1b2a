"""/agreements and their actions (send, sign, change tier, end). Staff read every
agreement; a client contact reads its own client's agreements once they have been sent
(drafts are the MSP's work in progress). Owners and dispatchers write, through
clients.services and documents.services."""

from django.db.models import QuerySet
from django.http import Http404
from ninja import Router, Status
from ninja.pagination import LimitOffsetPagination, paginate

from tierdesk.api.auth import AGREEMENT_WRITERS, require_role
from tierdesk.api.lookups import lookup
from tierdesk.api.schemas.clients import (
    AgreementChangeTierIn,
    AgreementEndIn,
    AgreementIn,
    AgreementOut,
    AgreementPatch,
    AgreementSendIn,
    AgreementSignIn,
)
from tierdesk.clients import access, services
from tierdesk.clients.models import Agreement, Client, Contact
from tierdesk.documents import access as document_access
from tierdesk.documents import services as document_services
from tierdesk.plans.models import PlanVersion

router = Router(tags=["agreements"])


def visible_agreements(user) -> QuerySet[Agreement]:
    if user.is_msp_staff:
        return Agreement.objects.select_related("client", "plan_version__plan")
    if user.is_client_contact:
        return access.agreements_for_contact(user)
    return Agreement.objects.none()


def agreement_for(user, agreement_id: int) -> Agreement:
    if user.is_msp_staff:
        return access.agreement_for_staff(user, agreement_id)
    return access.agreement_for_contact(user, agreement_id)


def _writable(request, agreement_id: int) -> Agreement:
    require_role(request, AGREEMENT_WRITERS, "agreements")
    return access.agreement_for_staff(request.user, agreement_id)


def _with_version(data: dict) -> dict:
    if "plan_version_id" in data:
        data["plan_version"] = lookup(
            PlanVersion.objects.select_related("plan"), data.pop("plan_version_id"),
            "plan_version_id",
        )
    return data


@router.get("/agreements", response=list[AgreementOut])
@paginate(LimitOffsetPagination)
def list_agreements(request, status: str | None = None, client: int | None = None):
    """Agreements, newest start first. Filters: `status` (draft, sent, signed, active,
    suspended, ended; comma-separated for several), `client` id."""
    agreements = visible_agreements(request.user)
    if status:
        agreements = agreements.filter(status__in=[s.strip() for s in status.split(",")])
    if client:
        agreements = agreements.filter(client_id=client)
    return agreements.order_by("-start_date", "-id")


@router.post("/agreements", response={201: AgreementOut})
def create_agreement(request, payload: AgreementIn):
    """Draft an agreement (owner, dispatcher). Counts default to the client's, prices to the
    tier's for the client's segment; a different price needs `override_reason`."""
    require_role(request, AGREEMENT_WRITERS, "agreements")
    data = _with_version(payload.model_dump())
    data["client"] = lookup(Client.objects.select_related("segment"), data.pop("client_id"),
                            "client_id")
    agreement = services.agreement_draft(by=request.user, **data)
    return Status(201, access.agreement_for_staff(request.user, agreement.pk))


@router.get("/agreements/{int:agreement_id}", response=AgreementOut)
def get_agreement(request, agreement_id: int):
    return agreement_for(request.user, agreement_id)


@router.patch("/agreements/{int:agreement_id}", response=AgreementOut)
def update_agreement(request, agreement_id: int, payload: AgreementPatch):
    """Change the terms of a draft (409 once it has been sent)."""
    agreement = _writable(request, agreement_id)
    data = _with_version(payload.model_dump(exclude_unset=True))
    services.agreement_update(agreement=agreement, by=request.user, **data)
    return access.agreement_for_staff(request.user, agreement.pk)


@router.delete("/agreements/{int:agreement_id}", response={204: None})
def discard_agreement(request, agreement_id: int):
    """Discard a draft. Any other agreement is history and stays (409)."""
    agreement = _writable(request, agreement_id)
    services.agreement_discard(agreement=agreement, by=request.user)
    return Status(204, None)


@router.post("/agreements/{int:agreement_id}/send", response=AgreementOut)
def send_agreement(request, agreement_id: int, payload: AgreementSendIn):
    """Send a draft for signature (draft → sent).

    Feasibility is checked first: when the tier promises what the MSP cannot deliver to this
    client (on-site targets shorter than the drive, fast response without a remote agent,
    segment requirements not covered) the answer is 409 listing the `warnings`, and nothing
    changes; send again with `acknowledge: true` and a `note` to record that you accept them.
    With `contact_id`, the signing link is e-mailed to that contact (who must be allowed to
    sign); an agreement already sent can be sent again that way (older links are revoked).
    """
    agreement = _writable(request, agreement_id)
    if payload.contact_id is None:
        services.agreement_send(agreement=agreement, by=request.user,
                                acknowledge=payload.acknowledge, note=payload.note)
    else:
        contact = lookup(Contact.objects.filter(client=agreement.client), payload.contact_id,
                         "contact_id")
        document_services.agreement_send_for_signature(
            agreement=agreement, contact=contact, by=request.user,
            acknowledge=payload.acknowledge, note=payload.note,
        )
    return access.agreement_for_staff(request.user, agreement.pk)


@router.post("/agreements/{int:agreement_id}/sign", response=AgreementOut)
def sign_agreement(request, agreement_id: int, payload: AgreementSignIn):
    """Sign with the token of the signing link, as on the signing page: the typed name and
    consent are the signature; the caller's address and user agent are kept as evidence.
    The signer is the contact the link was sent to. A client contact signs its own
    agreements; owners and dispatchers may relay a signature collected elsewhere."""
    user = request.user
    if not user.is_client_contact:
        require_role(request, AGREEMENT_WRITERS, "agreements")
    agreement = agreement_for(user, agreement_id)
    # The token must be this agreement's: a token for another agreement is "not found" here.
    link = document_access.signing_link_for_token(payload.token)
    if link.agreement_id != agreement.pk:
        raise Http404
    document_services.agreement_signature_capture(
        token=payload.token, typed_name=payload.typed_name, consent=payload.consent,
        ip=request.META.get("REMOTE_ADDR"), user_agent=request.headers.get("User-Agent", ""),
    )
    return agreement_for(user, agreement.pk)


@router.post("/agreements/{int:agreement_id}/change-tier", response={201: AgreementOut})
def change_tier(request, agreement_id: int, payload: AgreementChangeTierIn):
    """Draft the next agreement of an active one on another tier version from
    `effective_date`. The answer is the new draft (`replaces_id` = this agreement); send and
    sign it as usual, and this one ends the day before the new one starts."""
    agreement = _writable(request, agreement_id)
    data = _with_version(payload.model_dump())
    successor = services.agreement_change_tier(agreement=agreement, by=request.user, **data)
    return Status(201, access.agreement_for_staff(request.user, successor.pk))


@router.post("/agreements/{int:agreement_id}/end", response=AgreementOut)
def end_agreement(request, agreement_id: int, payload: AgreementEndIn):
    """End a signed, active or suspended agreement with `end_date` as its last covered
    day."""
    agreement = _writable(request, agreement_id)
    services.agreement_end(agreement=agreement, by=request.user, **payload.model_dump())
    return access.agreement_for_staff(request.user, agreement.pk)

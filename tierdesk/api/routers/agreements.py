"""/agreements and their actions (send, sign, change tier). Staff read every agreement; a
client contact reads its own client's agreements once they have been sent (drafts are the
MSP's work in progress). Owners and dispatchers write, through clients.services and
documents.services."""

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from ninja import Router
from ninja.pagination import LimitOffsetPagination, paginate

from tierdesk.api.schemas.clients import AgreementOut
from tierdesk.clients.models import Agreement, AgreementStatus

router = Router(tags=["agreements"])


def visible_agreements(user) -> QuerySet[Agreement]:
    agreements = Agreement.objects.select_related("client", "plan_version__plan")
    if user.is_msp_staff:
        return agreements
    if user.is_client_contact:
        return agreements.filter(client__contacts__user=user).exclude(
            status=AgreementStatus.DRAFT
        )
    return agreements.none()


def agreement_for(user, agreement_id: int) -> Agreement:
    return get_object_or_404(visible_agreements(user), pk=agreement_id)


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


@router.get("/agreements/{int:agreement_id}", response=AgreementOut)
def get_agreement(request, agreement_id: int):
    return agreement_for(request.user, agreement_id)

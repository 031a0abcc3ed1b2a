"""Who may see margins, and the only way to fetch the cost model's objects and the price
designer's choices for a user (access.py holds the value reports').

Margins are the MSP's own business: owners and billing read profitability, the cost model,
the low-profit list, renewal proposals and the price designer; only the owner changes the
cost model, the floors and a tier's price. Every member of staff sees the guardrail banner
before covered work (it is meant for whoever is about to do the work). Client contacts
never reach any of it. Anything else — an unknown id, a user without the role — is Http404.
"""

from django.http import Http404

from tierdesk.catalog.models import Segment
from tierdesk.core.models import Role
from tierdesk.insights.models import ToolCost
from tierdesk.plans.models import PlanVersion

#: Staff roles that read margins (profitability, costs, renewal prices, price designer).
MARGIN_READERS = (Role.OWNER, Role.BILLING)
#: Staff roles that change the cost model, the floors and tier prices.
MARGIN_WRITERS = (Role.OWNER,)


def _require(user, roles) -> None:
    if not (user.is_authenticated and user.has_role(*roles)):
        raise Http404("Not found.")


def tool_cost_for_owner(user, pk) -> ToolCost:
    _require(user, MARGIN_WRITERS)
    try:
        return ToolCost.objects.get(pk=pk)
    except (ToolCost.DoesNotExist, ValueError, TypeError):
        raise Http404("No such tool cost.") from None


def plan_version_for_designer(user, pk) -> PlanVersion:
    _require(user, MARGIN_READERS)
    try:
        return PlanVersion.objects.select_related("plan").get(pk=pk)
    except (PlanVersion.DoesNotExist, ValueError, TypeError):
        raise Http404("No such tier version.") from None


def segment_for_designer(user, pk) -> Segment:
    _require(user, MARGIN_READERS)
    try:
        return Segment.objects.get(pk=pk)
    except (Segment.DoesNotExist, ValueError, TypeError):
        raise Http404("No such segment.") from None

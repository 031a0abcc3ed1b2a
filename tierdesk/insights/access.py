"""The only way to fetch a value report for a user.

Staff who read reports (owners, dispatchers, billing) see every client's; a client contact
only its own client's. Anything else — another client's report, a technician, an unknown id
— is Http404, so an outsider cannot learn that a report exists.
"""

from django.db.models import QuerySet
from django.http import Http404

from tierdesk.clients.access import contact_client
from tierdesk.core.models import Role
from tierdesk.insights.models import ScenarioRun, ValueReport

#: Staff roles that read value reports (the figures include what was billed).
REPORT_READERS = (Role.OWNER, Role.DISPATCHER, Role.BILLING)
#: Staff roles that (re)generate and e-mail them.
REPORT_WRITERS = (Role.OWNER, Role.BILLING)


def _get(queryset: QuerySet, pk):
    try:
        return queryset.get(pk=pk)
    except (queryset.model.DoesNotExist, ValueError, TypeError):
        raise Http404("No such report.") from None


def value_reports_for_staff(user) -> QuerySet[ValueReport]:
    if not (user.is_authenticated and user.has_role(*REPORT_READERS)):
        raise Http404("No such report.")
    return ValueReport.objects.select_related("client")


def value_report_for_staff(user, pk) -> ValueReport:
    return _get(value_reports_for_staff(user), pk)


def value_reports_for_contact(user) -> QuerySet[ValueReport]:
    """The contact's own client's reports, newest month first."""
    return (ValueReport.objects.filter(client=contact_client(user))
            .select_related("client").order_by("-month"))


def value_report_for_contact(user, pk) -> ValueReport:
    return _get(value_reports_for_contact(user), pk)


def value_reports_for_user(user) -> QuerySet[ValueReport]:
    """Staff readers see all, a contact its own client's (the API uses this)."""
    if user.is_authenticated and user.is_msp_staff:
        return value_reports_for_staff(user)
    return value_reports_for_contact(user)


def value_report_for_user(user, pk) -> ValueReport:
    return _get(value_reports_for_user(user), pk)


# Capacity scenario runs: owners and dispatchers (they plan the roster).
CAPACITY_READERS = (Role.OWNER, Role.DISPATCHER)


def scenario_runs_for_staff(user) -> QuerySet[ScenarioRun]:
    if not (user.is_authenticated and user.has_role(*CAPACITY_READERS)):
        raise Http404("No such scenario run.")
    return ScenarioRun.objects.select_related("created_by")


def scenario_run_for_staff(user, pk) -> ScenarioRun:
    queryset = scenario_runs_for_staff(user)
    try:
        return queryset.get(pk=pk)
    except (queryset.model.DoesNotExist, ValueError, TypeError):
        raise Http404("No such scenario run.") from None

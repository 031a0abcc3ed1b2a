"""Can the MSP keep what an agreement promises? Checked when the agreement is sent.

Three checks, each giving a `FeasibilityWarning` (a code a program can test, a sentence a
person can act on, and the site it is about when it is about one):

* `onsite_too_far` — a response target promises on-site arrival sooner than the drive to one
  of the client's sites takes. Business and wall-clock targets compare their minutes with
  `Site.drive_minutes` directly (a business-minute promise can be shorter in wall time, never
  longer, so the comparison is the generous one). A "same business day" target counts as
  the rest of the business day: the minutes from the target's cutoff (or, without one, from
  opening) to closing on the shortest open day of the tier's hours — the least time a ticket
  accepted for today can get.
* `no_remote_agent` — a fast first-response target (≤ FAST_RESPONSE_MINUTES, same rule for
  same-day targets) at a site with no remote-management agent: every fix there is a drive.
* `segment_requirement` — a requirement of the client's segment whose service the tier
  version does not cover at the required level (levels: catalog.models.COVERAGE_LEVELS).

For each site the tightest violating target is reported once, not every priority.
"""

from dataclasses import dataclass

from tierdesk.catalog.models import COVERAGE_LEVELS
from tierdesk.clients.models import Agreement, Site
from tierdesk.plans.models import CoverageLevel, PlanVersion, TargetKind
from tierdesk.sla.errors import CalendarError
from tierdesk.sla.hours import MINUTES_PER_DAY, parse_hours

#: A first response this fast cannot include a drive; it needs remote access to the site.
FAST_RESPONSE_MINUTES = 240

ONSITE_TOO_FAR = "onsite_too_far"
NO_REMOTE_AGENT = "no_remote_agent"
SEGMENT_REQUIREMENT = "segment_requirement"


@dataclass(frozen=True)
class FeasibilityWarning:
    code: str
    message: str
    site: Site | None = None

    def as_json(self) -> dict:
        """The form stored in Agreement.feasibility_warnings."""
        return {
            "code": self.code,
            "message": self.message,
            "site_id": self.site.pk if self.site else None,
            "site": self.site.name if self.site else "",
        }


def same_day_minutes(version: PlanVersion, cutoff) -> int | None:
    """Minutes a same-business-day target leaves on the shortest open day (see module doc);
    None when the hours cannot be read or are never open."""
    try:
        week = parse_hours((version.hours or {}).get("hours", {}))
    except CalendarError:
        return None
    cutoff_minutes = cutoff.hour * 60 + cutoff.minute if cutoff else None
    windows = []
    for spans in week:
        if not spans:
            continue
        opening = min(span.start for span in spans)
        closing = max(span.end + (MINUTES_PER_DAY if span.end <= span.start else 0)
                      for span in spans)
        start = max(opening, cutoff_minutes) if cutoff_minutes is not None else opening
        windows.append(max(closing - start, 0))
    return min(windows) if windows else None


def _effective(target, step: str, version: PlanVersion) -> int | None:
    """The minutes a target allows for `step` ("onsite" or "first_response"), or None when
    it promises nothing for that step."""
    raw = target.onsite_minutes if step == "onsite" else target.first_response_minutes
    if target.kind == TargetKind.SAME_DAY:
        # A same-day target always promises its first response today; it promises an
        # on-site visit today only when it has on-site minutes at all.
        if step == "onsite" and raw is None:
            return None
        return same_day_minutes(version, target.same_day_cutoff)
    return raw


def _tightest(targets, step: str, version: PlanVersion):
    """(minutes, target) of the fastest promise for `step`, or None."""
    best = None
    for target in targets:
        minutes = _effective(target, step, version)
        if minutes is not None and (best is None or minutes < best[0]):
            best = (minutes, target)
    return best


def _level_label(level: str) -> str:
    return CoverageLevel(level).label.lower() if level in CoverageLevel.values else level


def agreement_feasibility_check(agreement: Agreement) -> list[FeasibilityWarning]:
    """Every promise of the agreement's tier version that the MSP cannot keep for this
    client, as warnings (empty when all is deliverable). Reads only; stores nothing."""
    version = agreement.plan_version
    tier = version.plan.name
    client = agreement.client
    targets = list(version.targets.all())
    warnings: list[FeasibilityWarning] = []

    onsite = _tightest(targets, "onsite", version)
    first = _tightest(targets, "first_response", version)
    for site in client.sites.order_by("name"):
        if onsite and onsite[0] < site.drive_minutes:
            minutes, target = onsite
            warnings.append(FeasibilityWarning(
                ONSITE_TOO_FAR,
                f"{tier} promises on-site within {minutes} min for "
                f"{target.priority.upper()} but "
                f"{site.name} is {site.drive_minutes} min away",
                site,
            ))
        if first and first[0] <= FAST_RESPONSE_MINUTES and not site.has_rmm_agent:
            minutes, target = first
            warnings.append(FeasibilityWarning(
                NO_REMOTE_AGENT,
                f"{tier} promises a first response within {minutes} min for "
                f"{target.priority.upper()} but {site.name} has no remote agent: every fix "
                f"is a drive ({site.drive_minutes} min away)",
                site,
            ))

    covered = dict(version.coverage.values_list("service_id", "level"))
    for requirement in client.segment.requirements.select_related("service"):
        required = COVERAGE_LEVELS.index(requirement.minimum_level)
        level = covered.get(requirement.service_id)
        if level is not None and COVERAGE_LEVELS.index(level) >= required:
            continue
        has = f"covers it {_level_label(level)}" if level else "does not cover it"
        warnings.append(FeasibilityWarning(
            SEGMENT_REQUIREMENT,
            f"{client.segment.name} requires {requirement.title} ({requirement.service.name}, "
            f"{_level_label(requirement.minimum_level)}); {tier} {has}",
        ))
    return warnings

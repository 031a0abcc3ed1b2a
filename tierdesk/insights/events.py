"""Audit events of insights (explicit calls from services, never signals)."""

from tierdesk.core.events import record


def value_reports_generated_event(*, report, month, created: int, updated: int, kept: int,
                                  by=None):
    """One row per generation run, on a report the run wrote (a run of 10,000 clients
    would otherwise write 10,000 audit rows that say the same thing)."""
    return record(action="value_report.generated", obj=report, by=by,
                  message=(f"{month:%B %Y}: {created} created, {updated} replaced, "
                           f"{kept} kept (already e-mailed)"))


def value_report_emailed_event(*, report, recipients: list[str], by=None):
    return record(action="value_report.emailed", obj=report, by=by,
                  message="e-mailed to " + ", ".join(recipients))

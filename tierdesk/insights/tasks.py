"""Background tasks of insights: thin, ids in, re-fetch, call one service. The monthly
schedule is declared in tierdesk/schedules/tasks.py."""

from huey.contrib.djhuey import db_task


@db_task()
def send_value_report_task(report_id: int) -> bool:
    """E-mail the value report `report_id` once (a report already e-mailed is skipped)."""
    from tierdesk.insights.services import value_report_send_queued

    return value_report_send_queued(report_id=report_id)


@db_task()
def generate_value_reports_task(month_iso: str, user_id: int | None = None) -> dict:
    """Generate (or complete) every client's value report of a month (idempotent)."""
    import datetime as dt

    from tierdesk.core.models import User
    from tierdesk.insights.services import value_reports_generate

    by = User.objects.filter(pk=user_id).first() if user_id else None
    result = value_reports_generate(month=dt.date.fromisoformat(month_iso), by=by)
    return {"clients": result.clients, "created": result.created, "updated": result.updated,
            "kept": result.kept}


@db_task()
def run_scenarios_task(run_id: int) -> str:
    """Simulate a queued capacity ScenarioRun (a run no longer queued is left alone)."""
    from tierdesk.insights.scenarios import scenario_run_execute

    return scenario_run_execute(run_id=run_id).status

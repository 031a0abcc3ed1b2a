"""Audit events of the capacity roster and the scenario runs (explicit calls from roster.py
and scenarios.py, never signals); split from events.py by sub-domain, as profit_events.py."""

from tierdesk.core.events import record


def technician_profile_changed_event(*, profile, by, changes: dict, created: bool):
    return record(action="roster.profile_created" if created else "roster.profile_changed",
                  obj=profile, by=by, changes=changes,
                  message=f"{profile.user.username}: " + ", ".join(sorted(changes)))


def scenario_run_queued_event(*, run, by):
    labels = ", ".join(s["label"] for s in run.inputs.get("scenarios", []))
    return record(action="scenario_run.queued", obj=run, by=by,
                  message=f"{run.weeks} weeks x {run.seeds} seeds: {labels}")


def scenario_run_finished_event(*, run):
    message = (f"done in {run.seconds:.1f} s" if run.status == "done" and run.seconds
               is not None else f"{run.status}: {run.error[:150]}")
    return record(action=f"scenario_run.{run.status}", obj=run, message=message)

"""A scenario run end to end: queued on commit, simulated by the huey task (immediate in
tests), results with 95% confidence intervals side by side, the answer in words, and the
page that polls until it is done."""
# ruff: noqa: F811  (pytest fixtures are imported by name and then requested as arguments)

import pytest

from tierdesk.core.models import AuditEvent
from tierdesk.insights import scenarios
from tierdesk.insights.models import ScenarioRun, ScenarioRunStatus
from tierdesk.insights.tests.capacity_fixtures import (  # noqa: F401
    NOW,
    acme_on_gold,
    gold,
    history,
    platinum,
    second_gold_client,
    techs,
)

pytestmark = pytest.mark.django_db
PRESETS = [{"kind": "more_clients", "count": 6, "tier": "Gold"},
           {"kind": "lose_technician", "technician": "bob"},
           {"kind": "outsource_helpdesk", "tier": ""}]


@pytest.fixture
def done_run(history, second_gold_client, personas, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        run = scenarios.scenario_run_create(by=personas.owner, weeks=3, seeds=5, margin=15,
                                            presets=PRESETS, now=NOW)
    run.refresh_from_db()
    return run


def test_a_run_is_queued_on_commit_and_simulated_by_the_task(done_run):
    assert done_run.status == ScenarioRunStatus.DONE, done_run.error
    assert done_run.started_at and done_run.finished_at
    labels = [s["label"] for s in done_run.results["scenarios"]]
    assert labels == ["As today", "Sign 6 more Gold clients", "Lose Bob Builder",
                      "Outsource end-user help desk (all tiers)"]
    assert AuditEvent.objects.filter(action="scenario_run.queued").count() == 1
    assert AuditEvent.objects.filter(action="scenario_run.done").count() == 1


def test_results_carry_attainment_with_confidence_intervals(done_run):
    today = done_run.results["scenarios"][0]
    first = next(a for a in today["attainment"]
                 if (a["tier"], a["target"]) == ("Gold", "first_response"))
    assert first["n"] == 5
    assert first["low"] <= first["mean"] <= first["high"]
    assert 0 <= first["mean"] <= 1
    util = today["figures"]["utilisation"]
    assert util["low"] <= util["mean"] <= util["high"]
    assert {t["name"] for t in today["technicians"]} == {"bob", "technician"}


def test_the_scenarios_differ_as_their_presets_say(done_run):
    today, more, fewer, outsourced = done_run.results["scenarios"]
    # Common random numbers: the same seeds give the same base tickets, so 4x the Gold
    # clients (2 -> 8) means about 4x the tickets.
    assert more["figures"]["tickets_per_week"]["mean"] > 2.5 * today["figures"][
        "tickets_per_week"]["mean"]
    assert fewer["technicians_count"] == 1
    assert fewer["figures"]["utilisation"]["mean"] > today["figures"]["utilisation"]["mean"]
    assert outsourced["expected_tickets_per_week"] == pytest.approx(1.0)
    assert today["expected_tickets_per_week"] == pytest.approx(2.0)


def test_the_answer_is_written_in_words(done_run):
    answer = done_run.results["answer"]
    assert answer[0].startswith("As today, Gold's 2-business-hour response (P2) is kept ")
    assert answer[0].endswith("of the time.")
    assert answer[1].startswith("Sign 6 more Gold clients: Gold's 2-business-hour response")
    assert answer[-1].startswith("The roster is ")


def test_running_a_run_again_changes_nothing(done_run):
    again = scenarios.scenario_run_execute(run_id=done_run.pk)
    assert again.status == ScenarioRunStatus.DONE
    assert again.results == done_run.results
    assert AuditEvent.objects.filter(action="scenario_run.done").count() == 1


def test_a_run_that_breaks_ends_failed_with_its_reason(history, personas):
    run = scenarios.scenario_run_create(by=personas.owner, weeks=2, seeds=2, margin=15,
                                        presets=[], now=NOW)  # queued, never committed
    inputs = run.inputs
    inputs["model"]["roster"]["technicians"] = []
    ScenarioRun.objects.filter(pk=run.pk).update(inputs=inputs)
    run = scenarios.scenario_run_execute(run_id=run.pk)
    assert run.status == ScenarioRunStatus.FAILED
    assert run.error == "roster.technicians: the roster is empty; add at least one technician"


def test_the_run_page_polls_until_done_then_shows_the_scenarios(history, personas, login):
    run = scenarios.scenario_run_create(by=personas.owner, weeks=2, seeds=3, margin=15,
                                        presets=PRESETS[:1], now=NOW)
    browser = login(personas.dispatcher)
    waiting = browser.get(f"/insights/capacity/runs/{run.pk}/").content.decode()
    assert 'hx-trigger="every 2s"' in waiting and "Queued" in waiting
    scenarios.scenario_run_execute(run_id=run.pk)
    fragment = browser.get(f"/insights/capacity/runs/{run.pk}/status/",
                           HTTP_HX_REQUEST="true").content.decode()
    assert "every 2s" not in fragment
    assert 'id="side-by-side"' in fragment and "Sign 6 more Gold clients" in fragment
    assert "As today, Gold&#x27;s 2-business-hour response (P2) is kept" in fragment
    assert fragment.count("<svg") == 2 and 'class="whisker"' in fragment
    assert "Gold: first response kept" in fragment


def _scenario(key, label, *, attained, utilisation, overtime=0.0, technicians=3):
    def est(mean, half):
        return {"mean": mean, "low": mean - half, "high": mean + half, "n": 5}

    return {"key": key, "label": label, "technicians_count": technicians,
            "attainment_by_priority": [{"tier": "Platinum", "priority": "p1",
                                        "target": "first_response", **est(attained, 0.025)}],
            "technicians": [],
            "figures": {"utilisation": est(utilisation, 0.02),
                        "overtime_hours_per_week": est(overtime, 1.0),
                        "unserved": est(0.0, 0.0)}}


PLATINUM_MODEL = {"tiers": [{"name": "Platinum", "targets": {"p1": {"first_response": {
    "kind": "wall", "minutes": 120, "cutoff": None}}}}]}


def test_the_answer_names_where_the_roster_is_over_extended():
    results = {"ceiling": 0.85, "scenarios": [
        _scenario("today", "As today", attained=0.955, utilisation=0.60),
        _scenario("lose_technician-0", "Lose Sam", attained=0.81, utilisation=0.92),
        _scenario("add_on_call-1", "Add an on-call rotation (Sam, Kim)", attained=0.99,
                  utilisation=0.55, overtime=15.0)]}
    answer = scenarios.answer(results, PLATINUM_MODEL)
    assert answer[0] == ("As today, Platinum's 2-hour response (P1) is kept 96% (93–98%) "
                         "of the time.")
    assert answer[1] == ("Lose Sam: Platinum's 2-hour response (P1) 81% (78–84%); "
                         "utilisation 92% (90–94%).")
    assert answer[-1] == (
        "The roster is over-extended if you lose Sam (utilisation 92% (90–94%) above the 85% "
        "ceiling); if you add an on-call rotation (Sam, Kim) (overtime 5.0 h a week per "
        "technician, on-call work included (more than 4 h)).")


def test_the_answer_says_so_when_no_scenario_over_extends_the_roster():
    results = {"ceiling": 0.8, "scenarios": [
        _scenario("today", "As today", attained=1.0, utilisation=0.41)]}
    assert scenarios.answer(results, PLATINUM_MODEL)[-1] == (
        "The roster is not over-extended in any scenario: utilisation at most 41%, under "
        "the 80% ceiling (a 20% margin).")

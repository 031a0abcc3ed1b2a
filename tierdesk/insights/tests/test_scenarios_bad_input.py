"""Bad input gets a clear message naming the field, and nothing is stored: a horizon of
ten years, no technicians, a margin of 100% or more, nonsense seeds, no history and no
assumptions; a 24x7 tier with nobody on call is a warning in the results, not an error."""
# ruff: noqa: F811  (pytest fixtures are imported by name and then requested as arguments)

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from tierdesk.insights import roster, scenarios
from tierdesk.insights.models import ScenarioRun
from tierdesk.insights.tests.capacity_fixtures import (  # noqa: F401
    NOW,
    acme_on_gold,
    at,
    gold,
    history,
    platinum,
    techs,
)

pytestmark = pytest.mark.django_db


def create(personas, **overrides):
    fields = dict(by=personas.owner, weeks=4, seeds=3, margin=15, presets=[], now=NOW)
    fields.update(overrides)
    return scenarios.scenario_run_create(**fields)


def errors_of(personas, **overrides) -> dict:
    with pytest.raises(ValidationError) as exc:
        create(personas, **overrides)
    assert not ScenarioRun.objects.exists()
    return exc.value.message_dict


def test_ten_years_is_refused_naming_the_weeks(history, personas):
    assert errors_of(personas, weeks=520) == {"weeks": [
        "520 weeks would simulate 10.0 years; a scenario covers at most 104 weeks (2 years)"]}
    assert "weeks" in errors_of(personas, weeks=0)
    assert errors_of(personas, weeks="ten years") == {"weeks": [
        "expected a whole number, got 'ten years'"]}


def test_two_years_is_the_most_a_run_may_cover(history, personas):
    run = create(personas, weeks=104, seeds=1)
    assert run.weeks == 104


def test_a_margin_of_100_percent_or_more_is_refused(history, personas):
    assert errors_of(personas, margin=100) == {"margin": [
        "a margin of 100% leaves no working time to plan with; keep it below 100%"]}
    assert "margin" in errors_of(personas, margin=250)
    assert "margin" in errors_of(personas, margin=-5)
    assert "margin" in errors_of(personas, margin="lots")


def test_seeds_out_of_range_are_refused(history, personas):
    assert errors_of(personas, seeds=0) == {"seeds": ["between 1 and 30 runs per scenario, "
                                                      "got 0"]}
    assert "seeds" in errors_of(personas, seeds=500)


def test_several_bad_fields_are_reported_together(history, personas):
    assert set(errors_of(personas, weeks=520, seeds=0, margin=100)) == {"weeks", "seeds",
                                                                        "margin"}


def test_no_technicians_names_the_roster(history, techs, personas):
    for user in techs:
        roster.technician_profile_update(user=user, by=personas.owner, is_active=False)
    assert errors_of(personas) == {"roster": [
        "roster.technicians: the roster is empty; add at least one technician"]}


def test_no_history_and_no_assumptions_asks_for_them(acme_on_gold, techs, personas):
    assert errors_of(personas) == {"assumptions": [
        "no tickets in the last 12 weeks: enter assumptions"]}


def test_a_bad_preset_names_its_field_and_stores_nothing(history, personas):
    assert "more_clients_tier" in errors_of(personas, presets=[
        {"kind": "more_clients", "count": 5, "tier": "Nope"}])


def test_a_24x7_tier_with_nobody_on_call_is_a_warning_not_a_crash(
        platinum, techs, personas, django_capture_on_commit_callbacks):
    from tierdesk.clients.factories import AgreementFactory
    from tierdesk.desk.services import ticket_open

    deal = AgreementFactory(client=personas.contact.contact.client, plan_version=platinum,
                            status="active")
    for day in range(1, 29):  # a P1 every night at 02:00 for four weeks
        ticket_open(client=deal.client, channel="hotline", subject="Down", priority="p1",
                    opened_at=at(dt.date(2026, 3, day), 2))
    with django_capture_on_commit_callbacks(execute=True):
        run = create(personas, weeks=2, seeds=2)
    run.refresh_from_db()
    assert run.status == "done", run.error
    today = run.results["scenarios"][0]
    assert any('tier "Platinum" is 24x7 but nobody is on call' in w for w in today["warnings"])
    night = next(a for a in today["attainment"] if a["tier"] == "Platinum"
                 and a["target"] == "first_response")
    assert night["mean"] < 0.5  # out-of-hours tickets wait for the morning

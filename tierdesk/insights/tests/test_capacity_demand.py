"""Learning the demand from the desk's history: arrivals per hour of week, the help-desk
part apart, work time from billing sessions, on-site share, drive times, and the tiers'
targets; an empty history asks for assumptions instead of failing."""
# ruff: noqa: F811  (pytest fixtures are imported by name and then requested as arguments)

import math

import pytest
from django.core.exceptions import ValidationError

from tierdesk.insights import capacity
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
MONDAY_10 = 10
TUESDAY_14 = 24 + 14


def gold_p2(model):
    return next(s for s in model["streams"] if (s["tier"], s["priority"]) == ("Gold", "p2"))


def test_arrivals_are_learned_per_hour_of_week(history):
    model = capacity.capacity_model(now=NOW)
    stream = gold_p2(model)
    assert stream["tickets"] == 24
    # 12 tickets in the 12 Monday 10:00 hours of the window: one an hour.
    assert stream["rates"][MONDAY_10] == pytest.approx(1.0)
    assert stream["rates"][TUESDAY_14] == pytest.approx(1.0)
    assert sum(stream["rates"]) == pytest.approx(2.0)
    # The help-desk part is kept apart (for the outsourcing preset).
    assert stream["helpdesk_rates"][MONDAY_10] == pytest.approx(1.0)
    assert stream["helpdesk_rates"][TUESDAY_14] == 0
    assert model["history"]["tickets"] == 24 and model["message"] == ""


def test_work_time_comes_from_the_tickets_sessions(history):
    stream = gold_p2(capacity.capacity_model(now=NOW))
    # 24 worked tickets: enough to draw from them (30 and 90 minutes, half each).
    assert stream["work"]["kind"] == "empirical"
    assert sorted(set(stream["work"]["values"])) == [30.0, 90.0]
    assert stream["work"]["mean"] == pytest.approx(60.0)
    assert stream["work_source"] == "24 worked tickets of Gold P2 High"
    # Without the help desk, only the 90-minute visits remain.
    assert stream["work_other"] == {"kind": "fixed", "mean": 90.0, "n": 12}


def test_on_site_share_and_drive_minutes(history):
    model = capacity.capacity_model(now=NOW)
    stream = gold_p2(model)
    assert stream["onsite_share"] == pytest.approx(0.5)
    assert stream["onsite_share_other"] == pytest.approx(1.0)
    # acme's one site is 25 minutes away (conftest).
    assert stream["drive"] == {"kind": "fixed", "mean": 25.0, "n": 1}


def test_few_samples_give_a_lognormal_of_their_mean_and_spread():
    spec = capacity.sample_spec([10, 20, 30, 40])
    assert spec["kind"] == "lognormal"
    assert spec["mean"] == 25.0
    assert spec["sd"] == pytest.approx(math.sqrt(500 / 3), abs=0.01)
    assert capacity.sample_spec([]) is None
    many = capacity.sample_spec(list(range(1000)))
    assert many["kind"] == "empirical" and len(many["values"]) == capacity.MAX_SAMPLES


def test_tiers_carry_their_newest_versions_targets_and_clients(history, platinum,
                                                              second_gold_client):
    tiers = {t["name"]: t for t in capacity.capacity_model(now=NOW)["tiers"]}
    assert tiers["Gold"]["clients"] == 2
    assert tiers["Gold"]["targets"]["p2"]["first_response"] == {
        "kind": "business", "minutes": 120, "cutoff": None}
    assert tiers["Gold"]["targets"]["p1"]["onsite"]["minutes"] == 240
    assert tiers["Platinum"]["clients"] == 0
    assert tiers["Platinum"]["targets"]["p1"]["first_response"]["kind"] == "wall"
    # Both Gold clients' sites: 25 and 40 minutes.
    assert tiers["Gold"]["drive"]["mean"] == pytest.approx(32.5)


def test_tickets_outside_the_window_are_not_counted(history):
    later = NOW.replace(year=2027)
    model = capacity.capacity_model(now=later)
    assert model["streams"] == []
    assert model["message"] == "no tickets in the last 12 weeks: enter assumptions"


def test_an_empty_history_asks_for_assumptions(acme_on_gold, techs):
    model = capacity.capacity_model(now=NOW)
    assert model["source"] == "none" and model["streams"] == []
    assert model["message"] == "no tickets in the last 12 weeks: enter assumptions"
    assert [t["name"] for t in model["tiers"]] == ["Gold"]


def test_assumptions_spread_over_the_tiers_coverage_hours(acme_on_gold, techs):
    model = capacity.capacity_model(now=NOW, assumptions={
        "helpdesk_percent": 60,
        "tiers": {"Gold": {"clients": 10, "tickets_per_client_month": 52 / 12,
                           "work_minutes": 40, "onsite_percent": 10}}})
    (stream,) = model["streams"]
    assert (stream["tier"], stream["priority"]) == ("Gold", "p3")
    assert sum(stream["rates"]) == pytest.approx(10.0)  # 52/12 x 10 clients x 12/52
    assert stream["rates"][MONDAY_10] == pytest.approx(0.2)  # 50 open hours a week
    assert stream["rates"][2] == 0  # Monday 02:00, Gold is closed
    assert sum(stream["helpdesk_rates"]) == pytest.approx(6.0)
    assert stream["work"] == {"kind": "lognormal", "mean": 40.0, "sd": 40.0, "n": 0}
    assert stream["onsite_share_other"] == pytest.approx(0.25)
    assert model["tiers"][0]["clients"] == 10


def test_nonsense_assumptions_name_the_field(acme_on_gold, techs):
    with pytest.raises(ValidationError) as exc:
        capacity.capacity_model(now=NOW, assumptions={
            "helpdesk_percent": 50,
            "tiers": {"Gold": {"clients": 3, "tickets_per_client_month": -2,
                               "work_minutes": 30, "onsite_percent": 0}}})
    assert exc.value.message_dict["assumptions"] == [
        "Gold: tickets per client a month: must be between 0 and 10000, got -2"]
    with pytest.raises(ValidationError) as exc:
        capacity.capacity_model(now=NOW, assumptions={"helpdesk_percent": 150, "tiers": {}})
    assert "help-desk share (%)" in exc.value.message_dict["assumptions"][0]


def test_the_model_builds_a_scenario_for_the_engine(history):
    model = capacity.capacity_model(now=NOW)
    scenario = capacity.scenario_from_model(model, name="as today", weeks=2, seeds=3)
    assert scenario.seeds == (1, 2, 3)
    assert scenario.start.isoformat() == "2026-04-06T00:00:00-04:00"  # the next Monday
    assert [t.name for t in scenario.roster.technicians] == ["bob", "technician"]
    assert scenario.demand.streams[0].onsite_share == pytest.approx(0.5)

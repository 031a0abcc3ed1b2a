"""Scenario presets change today's model as described: more clients scale a tier's
arrivals, a technician leaves the roster and the rotations, help desk leaves the queue,
an on-call rotation is added. Errors name the form field of the preset."""
# ruff: noqa: F811  (pytest fixtures are imported by name and then requested as arguments)

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from tierdesk.desk import oncall
from tierdesk.insights import capacity
from tierdesk.insights.scenarios import apply_preset
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


@pytest.fixture
def model(history, second_gold_client, platinum):
    return capacity.capacity_model(now=NOW)


def gold_p2(model):
    return next(s for s in model["streams"] if s["tier"] == "Gold")


def test_signing_more_clients_scales_that_tiers_arrivals(model):
    changed, label, changes = apply_preset(model, {"kind": "more_clients", "count": 3,
                                                   "tier": "Gold"})
    assert label == "Sign 3 more Gold clients"
    # (2 + 3) / 2
    assert sum(gold_p2(changed)["rates"]) == pytest.approx(2.0 * 2.5)
    assert sum(gold_p2(changed)["helpdesk_rates"]) == pytest.approx(1.0 * 2.5)
    assert changes == ["Gold arrivals x 2.50 (2 -> 5 clients)"]
    # Today's model is untouched.
    assert sum(gold_p2(model)["rates"]) == pytest.approx(2.0)


def test_a_tier_without_clients_cannot_be_scaled(model):
    with pytest.raises(ValidationError) as exc:
        apply_preset(model, {"kind": "more_clients", "count": 20, "tier": "Platinum"})
    assert "Platinum has no clients today" in exc.value.message_dict["more_clients_tier"][0]
    with pytest.raises(ValidationError) as exc:
        apply_preset(model, {"kind": "more_clients", "count": 20, "tier": "Diamond"})
    assert exc.value.message_dict["more_clients_tier"] == ['"Diamond" is not a tier']
    with pytest.raises(ValidationError) as exc:
        apply_preset(model, {"kind": "more_clients", "count": 0, "tier": "Gold"})
    assert "more_clients_count" in exc.value.message_dict


def test_losing_a_technician_takes_them_off_the_roster_and_the_rotation(model, techs,
                                                                      personas):
    tess, bob = techs
    rotation = oncall.rotation_create(name="Nights", starts_at=dt.datetime.fromisoformat(
        model["start"]), shift_days=7, by=personas.owner)
    oncall.oncall_member_add(rotation=rotation, user=tess, phone="+12075550101")
    oncall.oncall_member_add(rotation=rotation, user=bob, phone="+12075550102")
    model = capacity.capacity_model(now=NOW)
    changed, label, _ = apply_preset(model, {"kind": "lose_technician", "technician": "bob"})
    assert label == "Lose Bob Builder"
    assert [t["name"] for t in changed["roster"]["technicians"]] == ["technician"]
    assert changed["roster"]["rotations"][0]["members"] == ["technician"]
    # Week by week: today they alternate; without Bob, Tess takes every week.
    built = capacity.scenario_from_model(model, name="x", weeks=2, seeds=1)
    assert built.roster.on_call[0].weeks[:4] == ("technician", "bob", "technician", "bob")
    built = capacity.scenario_from_model(changed, name="x", weeks=2, seeds=1)
    assert set(built.roster.on_call[0].weeks) == {"technician"}


def test_the_only_technician_cannot_be_lost(model, techs):
    solo, _, _ = apply_preset(model, {"kind": "lose_technician", "technician": "bob"})
    with pytest.raises(ValidationError) as exc:
        apply_preset(solo, {"kind": "lose_technician", "technician": "technician"})
    assert "leaves nobody on the roster" in exc.value.message_dict["lose_technician"][0]
    with pytest.raises(ValidationError) as exc:
        apply_preset(model, {"kind": "lose_technician", "technician": "ghost"})
    assert exc.value.message_dict["lose_technician"] == ['"ghost" is not on the roster']


def test_outsourcing_help_desk_takes_its_tickets_out_of_the_queue(model):
    changed, label, changes = apply_preset(model, {"kind": "outsource_helpdesk", "tier": ""})
    stream = gold_p2(changed)
    assert label == "Outsource end-user help desk (all tiers)"
    assert sum(stream["rates"]) == pytest.approx(1.0)  # only Tuesday's break-fix is left
    assert stream["rates"][10] == 0
    assert stream["work"] == stream["work_other"] == {"kind": "fixed", "mean": 90.0, "n": 12}
    assert stream["onsite_share"] == pytest.approx(1.0)
    assert changes == ["1.0 help-desk tickets a week leave the queue"]


def test_outsourcing_one_tier_leaves_the_others_alone(model):
    changed, _, changes = apply_preset(model, {"kind": "outsource_helpdesk",
                                               "tier": "Platinum"})
    assert sum(gold_p2(changed)["rates"]) == pytest.approx(2.0)
    assert changes == ["0.0 help-desk tickets a week leave the queue"]
    with pytest.raises(ValidationError) as exc:
        apply_preset(model, {"kind": "outsource_helpdesk", "tier": "Diamond"})
    assert "outsource_tier" in exc.value.message_dict


def test_adding_an_on_call_rotation_puts_it_on_top_of_the_desks(model):
    changed, label, _ = apply_preset(model, {"kind": "add_on_call",
                                             "members": ["bob", "technician"]})
    assert label == "Add an on-call rotation (Bob Builder, Tess Tech)"
    built = capacity.scenario_from_model(changed, name="x", weeks=2, seeds=1)
    assert [(r.name, r.weeks) for r in built.roster.on_call] == [
        ("Added on-call rotation", ("bob", "technician"))]
    with pytest.raises(ValidationError) as exc:
        apply_preset(model, {"kind": "add_on_call", "members": []})
    assert "on_call_members" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        apply_preset(model, {"kind": "add_on_call", "members": ["ghost"]})
    assert exc.value.message_dict["on_call_members"] == ['"ghost" is not on the roster']


def test_an_unknown_preset_is_refused(model):
    with pytest.raises(ValidationError) as exc:
        apply_preset(model, {"kind": "hire_wizard"})
    assert "unknown preset 'hire_wizard'" in exc.value.message_dict["scenario"][0]

"""The capacity pages: owners and dispatchers see them and run scenarios, only the owner
edits the roster; technicians, billing and client contacts are refused (403, as every
staff page); unknown runs are 404. Errors on the page name the field."""
# ruff: noqa: F811  (pytest fixtures are imported by name and then requested as arguments)

import json

import pytest

from tierdesk.insights.models import ScenarioRun, TechnicianProfile
from tierdesk.insights.tests.capacity_fixtures import (  # noqa: F401
    acme_on_gold,
    gold,
    history,
    techs,
)

pytestmark = pytest.mark.django_db
PAGES = ["/insights/capacity/", "/insights/capacity/roster/"]
SCENARIO_POST = {"weeks": "3", "seeds": "3", "margin": "15", "more_clients_count": "20",
                 "more_clients_tier": "Gold", "lose_technician": "", "outsource_tier": ""}


@pytest.fixture
def run(history, personas):
    from tierdesk.insights import scenarios
    from tierdesk.insights.tests.capacity_fixtures import NOW

    return scenarios.scenario_run_create(by=personas.owner, weeks=2, seeds=2, margin=15,
                                         presets=[], now=NOW)


@pytest.mark.parametrize("persona, status", [
    ("owner", 200), ("dispatcher", 200), ("technician", 403), ("billing", 403),
    ("contact", 403), ("outsider", 403),
])
def test_who_may_see_the_capacity_pages(run, personas, login, persona, status):
    browser = login(getattr(personas, persona))
    for path in [*PAGES, f"/insights/capacity/runs/{run.pk}/",
                 f"/insights/capacity/runs/{run.pk}/status/"]:
        assert browser.get(path).status_code == status, path


def test_unknown_runs_are_404(personas, login):
    browser = login(personas.owner)
    assert browser.get("/insights/capacity/runs/999/").status_code == 404
    assert browser.get("/insights/capacity/runs/999/status/").status_code == 404


def test_the_nav_shows_capacity_to_owners_and_dispatchers_only(personas, login):
    assert 'href="/insights/capacity/"' in login(personas.dispatcher).get("/desk/").content.decode()
    assert 'href="/insights/capacity/"' not in login(personas.technician).get(
        "/desk/").content.decode()


def test_the_page_shows_the_learned_demand(history, personas, login, monkeypatch):
    from tierdesk.core import clock
    from tierdesk.insights.tests.capacity_fixtures import NOW

    monkeypatch.setattr(clock, "now", lambda: NOW)  # the history is the 12 weeks before NOW
    page = login(personas.owner).get("/insights/capacity/").content.decode()
    assert "Demand learned from history" in page and "24 tickets opened" in page
    assert "P2 High: 2.0/week, 60 min (24 worked tickets of Gold P2 High)" in page


def test_a_dispatcher_runs_scenarios_from_the_page(history, personas, login, monkeypatch,
                                                   django_capture_on_commit_callbacks):
    from tierdesk.core import clock
    from tierdesk.insights.tests.capacity_fixtures import NOW

    monkeypatch.setattr(clock, "now", lambda: NOW)
    browser = login(personas.dispatcher)
    with django_capture_on_commit_callbacks(execute=True):
        response = browser.post("/insights/capacity/", {**SCENARIO_POST, "more_clients": "on",
                                                        "add_on_call": "on",
                                                        "on_call_members": ["bob"]})
    run = ScenarioRun.objects.get()
    assert response.status_code == 302 and response.url == f"/insights/capacity/runs/{run.pk}/"
    assert [s["label"] for s in run.inputs["scenarios"]] == [
        "As today", "Sign 20 more Gold clients", "Add an on-call rotation (Bob Builder)"]
    assert run.created_by == personas.dispatcher
    page = browser.get(response.url).content.decode()
    assert 'id="answer"' in page


def test_ten_years_on_the_page_names_the_field(history, personas, login, monkeypatch):
    from tierdesk.core import clock
    from tierdesk.insights.tests.capacity_fixtures import NOW

    monkeypatch.setattr(clock, "now", lambda: NOW)
    response = login(personas.owner).post("/insights/capacity/", {**SCENARIO_POST,
                                                                   "weeks": "520"})
    assert response.status_code == 400
    assert "Weeks: 520 weeks would simulate 10.0 years" in response.content.decode()
    response = login(personas.owner).post("/insights/capacity/", {**SCENARIO_POST,
                                                                   "weeks": "ten years"})
    assert "Weeks: Enter a whole number." in response.content.decode()
    response = login(personas.owner).post("/insights/capacity/", {**SCENARIO_POST,
                                                                   "margin": "100"})
    assert "Margin (%): a margin of 100% leaves no working time" in response.content.decode()
    assert not ScenarioRun.objects.exists()


def test_an_empty_history_shows_the_message_and_takes_assumptions(
        acme_on_gold, techs, personas, login, django_capture_on_commit_callbacks):
    browser = login(personas.owner)
    page = browser.get("/insights/capacity/").content.decode()
    assert "No tickets in the last 12 weeks: enter assumptions." in page
    assert 'id="assumptions"' in page
    with django_capture_on_commit_callbacks(execute=True):
        response = browser.post("/insights/capacity/", {
            **SCENARIO_POST, "helpdesk_percent": "60", "clients_0": "8", "tickets_0": "3",
            "work_0": "45", "onsite_0": "10"})
    assert response.status_code == 302
    run = ScenarioRun.objects.get()
    assert run.inputs["model"]["source"] == "assumptions"
    assert run.status == "done", run.error


def test_the_owner_edits_the_roster_and_a_dispatcher_may_not(techs, personas, login):
    _, bob = techs
    hours = {"tz": "America/New_York", "hours": {"mon": [["09:00", "13:00"]]}}
    post = {"user": bob.pk, f"u{bob.pk}-hours": json.dumps(hours), f"u{bob.pk}-remote": "on",
            f"u{bob.pk}-is_active": "on"}
    assert login(personas.dispatcher).post("/insights/capacity/roster/",
                                           post).status_code == 403
    response = login(personas.owner).post("/insights/capacity/roster/", post)
    assert response.status_code == 302
    profile = TechnicianProfile.objects.get(user=bob)
    assert (profile.hours, profile.onsite) == (hours, False)


def test_a_bad_roster_row_names_the_field(techs, personas, login):
    _, bob = techs
    response = login(personas.owner).post("/insights/capacity/roster/", {
        "user": bob.pk, f"u{bob.pk}-hours": '{"tz": "Mars/Base", "hours": {}}',
        f"u{bob.pk}-is_active": "on"})
    assert response.status_code == 400
    assert "Hours: tz: unknown time zone" in response.content.decode()
    response = login(personas.owner).post("/insights/capacity/roster/", {
        "user": bob.pk, f"u{bob.pk}-hours": '{"tz": "UTC", "hours": {}}',
        f"u{bob.pk}-is_active": "on"})
    assert "Remote: a technician on the roster needs a skill" in response.content.decode()
    assert not TechnicianProfile.objects.exists()
    assert login(personas.owner).post("/insights/capacity/roster/",
                                      {"user": personas.billing.pk}).status_code == 404

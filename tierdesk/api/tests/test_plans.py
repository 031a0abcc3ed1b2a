"""Tiers through the API: versions carry the full entitlements, and editing a tier goes
through plan_version_save (a new version once an agreement uses the current one)."""

import pytest

from tierdesk.api.tests.conftest import fields
from tierdesk.catalog.factories import ServiceFactory
from tierdesk.clients.factories import AgreementFactory
from tierdesk.plans.factories import CoveredServiceFactory, PlanVersionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def silver(db):
    version = PlanVersionFactory(plan__name="Silver", plan__slug="silver")
    CoveredServiceFactory(version=version, level="monitored")
    return version


def _detail(api, version):
    return api.get(f"/plans/{version.plan_id}/versions/{version.pk}")


def test_version_detail_has_full_entitlements_with_the_sla_calendar(personas, bearer, silver):
    body = _detail(bearer(personas.technician, "read"), silver).json()

    ent = body["entitlements"]
    assert ent["hours"]["tz"] == "America/New_York"
    assert ent["hours"]["hours"]["mon"] == [["08:00", "18:00"]]
    assert ent["targets"]["p1"]["first_response_minutes"] == 240
    assert ent["base_fee"] == "99.00"
    assert list(ent["coverage"].values()) == ["monitored"]
    assert body["number"] == 1 and body["plan_name"] == "Silver"


def test_plan_list_shows_the_current_version(personas, bearer, silver):
    items = bearer(personas.owner, "read").get("/plans").json()["items"]
    assert [(p["name"], p["current_version_id"]) for p in items] == [("Silver", silver.pk)]


def test_editing_an_unused_version_updates_it_in_place(personas, bearer, silver):
    api = bearer(personas.owner)
    ent = _detail(api, silver).json()["entitlements"]
    ent["base_fee"] = "129.00"

    response = api.post(f"/plans/{silver.plan_id}/versions",
                        {"entitlements": ent, "change_note": "price rise"})

    assert response.status_code == 200, response.content
    assert response.json()["id"] == silver.pk
    assert response.json()["entitlements"]["base_fee"] == "129.00"


def test_editing_a_version_in_use_creates_the_next_version(personas, bearer, silver, acme):
    AgreementFactory(client=acme, plan_version=silver, status="active")
    api = bearer(personas.owner)
    ent = _detail(api, silver).json()["entitlements"]
    ent["channels"] = ["email", "portal", "phone_attendant", "hotline"]
    ent["coverage"][str(ServiceFactory().pk)] = "supported"

    response = api.post(f"/plans/{silver.plan_id}/versions", {"entitlements": ent})

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["number"] == 2 and body["id"] != silver.pk
    assert "hotline" in body["entitlements"]["channels"]
    assert len(body["entitlements"]["coverage"]) == 2
    assert _detail(api, silver).json()["entitlements"]["channels"] == [
        "email", "portal", "phone_attendant"]
    versions = api.get(f"/plans/{silver.plan_id}/versions").json()
    assert [v["number"] for v in versions["items"]] == [2, 1]


def test_bad_calendar_is_422_on_hours(personas, bearer, silver):
    api = bearer(personas.owner)
    ent = _detail(api, silver).json()["entitlements"]
    ent["hours"] = {"tz": "Mars/Base", "hours": {"mon": [["08:00", "18:00"]]}}

    errors = fields(api.post(f"/plans/{silver.plan_id}/versions", {"entitlements": ent}))

    assert "hours" in errors and "Mars/Base" in errors["hours"]


def test_owner_creates_a_tier_from_another_tiers_entitlements(personas, bearer, silver):
    api = bearer(personas.owner)
    ent = _detail(api, silver).json()["entitlements"]

    response = api.post("/plans", {"name": "Gold", "rank": 50, "entitlements": ent})

    assert response.status_code == 201, response.content
    assert response.json()["slug"] == "gold"
    assert response.json()["current_version_number"] == 1


def test_dispatcher_cannot_edit_tiers(personas, bearer, silver):
    api = bearer(personas.dispatcher)
    ent = _detail(api, silver).json()["entitlements"]
    response = api.post(f"/plans/{silver.plan_id}/versions", {"entitlements": ent})
    assert response.status_code == 403


def test_rename_and_deactivate(personas, bearer, silver):
    api = bearer(personas.owner)
    assert api.patch(f"/plans/{silver.plan_id}", {"name": "Bronze"}).json()["name"] == "Bronze"
    assert api.post(f"/plans/{silver.plan_id}/deactivate").json()["is_active"] is False
    assert api.get("/plans", {"active": True}).json()["count"] == 0


def test_version_of_another_plan_is_404(personas, bearer, silver):
    other = PlanVersionFactory()
    response = bearer(personas.owner).get(f"/plans/{silver.plan_id}/versions/{other.pk}")
    assert response.status_code == 404

"""Bad input gets 422 with one row per field, whichever layer caught it."""

import datetime as dt

import pytest

from tierdesk.api.tests.conftest import fields
from tierdesk.catalog.factories import SegmentFactory
from tierdesk.plans.factories import PlanVersionFactory

pytestmark = pytest.mark.django_db


def test_client_with_unknown_time_zone_is_422_on_timezone(personas, bearer):
    response = bearer(personas.owner).post(
        "/clients", {"name": "Initech", "segment_id": SegmentFactory().pk,
                     "timezone": "Mars/Olympus_Mons"},
    )
    errors = fields(response)
    assert list(errors) == ["timezone"]
    assert "Mars/Olympus_Mons" in errors["timezone"]


def test_agreement_ending_before_it_starts_is_422_on_end_date(personas, bearer, acme):
    version = PlanVersionFactory()
    response = bearer(personas.owner).post("/agreements", {
        "client_id": acme.pk, "plan_version_id": version.pk,
        "start_date": "2026-03-01", "end_date": "2026-02-01",
    })
    assert "end_date" in fields(response)


def test_schema_errors_name_each_field(personas, bearer):
    response = bearer(personas.owner).post("/clients", {"name": "", "users_count": -1})

    errors = fields(response)

    assert {"name", "segment_id", "users_count"} <= set(errors)
    assert all(isinstance(message, str) and message for message in errors.values())


def test_nested_schema_errors_are_dotted(personas, bearer):
    response = bearer(personas.owner).post("/plans", {
        "name": "Gold", "rank": 2,
        "entitlements": {"channels": ["email"], "hours": {}, "hourly_rate": "x",
                         "base_fee": "10", "targets": {"p1": {"first_response_minutes": -5}}},
    })
    errors = fields(response)
    assert "entitlements.hourly_rate" in errors
    assert "entitlements.targets.p1.first_response_minutes" in errors


def test_unknown_id_in_the_body_is_422_on_that_field(personas, bearer, acme):
    response = bearer(personas.owner).post("/agreements", {
        "client_id": acme.pk, "plan_version_id": 999999, "start_date": str(dt.date.today()),
    })
    assert "plan_version_id" in fields(response)


def test_bad_query_parameter_is_422_naming_it(personas, bearer):
    assert "limit" in fields(bearer(personas.owner).get("/clients", {"limit": 0}))


def test_unknown_object_is_404_json(personas, bearer):
    response = bearer(personas.owner).get("/clients/999999")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


def test_pagination_gives_count_and_honours_limit_and_offset(personas, bearer):
    from tierdesk.clients.factories import ClientFactory

    for n in range(5):
        ClientFactory(name=f"Paged {n}")
    api = bearer(personas.owner, "read")

    first = api.get("/clients", {"limit": 3, "offset": 0}).json()
    rest = api.get("/clients", {"limit": 3, "offset": 3}).json()

    assert first["count"] == rest["count"] == 7
    assert len(first["items"]) == 3 and len(rest["items"]) == 3
    assert not {c["id"] for c in first["items"]} & {c["id"] for c in rest["items"]}


def test_clients_filter_by_segment_and_search(personas, bearer, acme, globex):
    api = bearer(personas.owner, "read")
    by_segment = api.get("/clients", {"segment": acme.segment_id}).json()
    by_search = api.get("/clients", {"search": "globex"}).json()
    assert [c["id"] for c in by_segment["items"]] == [acme.pk]
    assert [c["id"] for c in by_search["items"]] == [globex.pk]

"""/calendars: validating a business calendar and computing a due time through the API, with
errors that name the field."""

import json

import pytest

from tierdesk.api.tests.conftest import fields

pytestmark = pytest.mark.django_db

OFFICE = {
    "tz": "America/New_York",
    "hours": {d: [["09:00", "17:00"]] for d in ("mon", "tue", "wed", "thu", "fri")},
    "holidays": ["2026-12-25"],
}


def test_a_valid_calendar_is_returned_in_its_normal_form(personas, bearer):
    response = bearer(personas.technician).post("/calendars/validate", OFFICE)

    assert response.status_code == 200
    body = response.json()
    assert body["valid"] is True and body["errors"] == []
    assert body["calendar"]["hours"]["sat"] == [] and body["calendar"]["tz"] == OFFICE["tz"]


def test_a_bad_interval_is_reported_on_its_field(personas, bearer):
    bad = OFFICE | {"hours": {"mon": [["09:00", "12:00"], ["13:00", "25:00"]]}}

    body = bearer(personas.owner).post("/calendars/validate", bad).json()

    assert body["valid"] is False
    assert body["errors"][0]["field"] == "hours.mon[1]"
    assert "25:00" in body["errors"][0]["message"]


def test_an_unknown_time_zone_is_reported_on_tz(personas, bearer):
    body = bearer(personas.owner).post("/calendars/validate", OFFICE | {"tz": "Mars/Base"}).json()
    assert body["errors"] == [{"field": "tz", "message": 'unknown time zone "Mars/Base"'}]


def test_an_unknown_key_and_a_missing_key_are_named(personas, bearer):
    api = bearer(personas.owner)
    assert api.post("/calendars/validate", OFFICE | {"colour": "red"}).json()["errors"][0][
        "field"] == "colour"
    assert api.post("/calendars/validate", {"tz": "UTC"}).json()["errors"][0]["field"] == "hours"


def test_validate_by_get_with_a_read_token(personas, bearer):
    api = bearer(personas.billing, "read")
    good = api.get("/calendars/validate", {"calendar": json.dumps(OFFICE)})
    broken = api.get("/calendars/validate", {"calendar": "{not json"})

    assert good.status_code == 200 and good.json()["valid"] is True
    assert broken.json()["valid"] is False and broken.json()["errors"][0]["field"] == "calendar"


def test_due_time_skips_the_weekend_and_answers_in_utc_and_local_time(personas, bearer):
    # Friday 16:30 EST + 60 business minutes = Monday 09:30 — EDT by then (US clocks
    # spring forward on Sunday 8 March 2026), so 13:30 UTC, not 14:30.
    response = bearer(personas.dispatcher).post("/calendars/due", {
        "calendar": OFFICE, "start": "2026-03-06T16:30:00-05:00", "minutes": 60,
    })

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["due_at"] == "2026-03-09T13:30:00Z"
    assert body["due_local"] == "2026-03-09T09:30:00-04:00"


def test_due_time_does_not_count_paused_open_time(personas, bearer):
    body = bearer(personas.dispatcher).post("/calendars/due", {
        "calendar": OFFICE, "start": "2026-03-10T09:00:00-04:00", "minutes": 60,
        "paused": [["2026-03-10T09:00:00-04:00", "2026-03-10T10:00:00-04:00"]],
    }).json()
    assert body["due_local"].startswith("2026-03-10T11:00:00")


def test_due_time_with_a_bad_calendar_is_422_naming_the_nested_field(personas, bearer):
    response = bearer(personas.dispatcher).post("/calendars/due", {
        "calendar": OFFICE | {"hours": {"mon": [["nine", "17:00"]]}},
        "start": "2026-03-06T16:30:00-05:00", "minutes": 60,
    })
    assert "calendar.hours.mon[0]" in fields(response)


def test_due_time_needs_an_aware_start_and_non_negative_minutes(personas, bearer):
    api = bearer(personas.dispatcher)
    naive = api.post("/calendars/due", {"calendar": OFFICE, "start": "2026-03-06T16:30:00",
                                        "minutes": 60})
    negative = api.post("/calendars/due", {"calendar": OFFICE,
                                           "start": "2026-03-06T16:30:00Z", "minutes": -5})
    assert "start" in fields(naive)
    assert "minutes" in fields(negative)


def test_contacts_do_not_see_the_calendar_endpoints(personas, bearer):
    api = bearer(personas.contact)
    assert api.post("/calendars/validate", OFFICE).status_code == 404
    assert api.post("/calendars/due", {"calendar": OFFICE, "start": "2026-03-06T16:30:00Z",
                                       "minutes": 1}).status_code == 404


def test_anonymous_callers_are_refused(anonymous):
    assert anonymous.post("/calendars/validate", OFFICE).status_code == 401

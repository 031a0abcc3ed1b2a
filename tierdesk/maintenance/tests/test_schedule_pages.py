"""An agreement's maintenance schedules: listed for all staff, edited by managers (bad input
names the field and changes nothing), and "generate now"."""

import datetime as dt

import pytest

from tierdesk.maintenance.models import Schedule, WorkOrder


def schedules_url(agreement):
    return f"/maintenance/agreements/{agreement.pk}/schedules/"


def edit_url(schedule):
    return f"/maintenance/schedules/{schedule.pk}/"


def form(rrule="FREQ=WEEKLY;BYDAY=FR", local_time="09:00", minutes="15"):
    return {"rrule": rrule, "local_time": local_time, "estimated_minutes": minutes}


def test_the_agreement_page_links_to_its_schedules(personas, login, platinum_acme):
    body = login(personas.dispatcher).get(
        f"/clients/agreements/{platinum_acme.pk}/").content.decode()
    assert schedules_url(platinum_acme) in body


def test_staff_read_the_schedules_and_only_managers_may_edit(
        personas, login, backup_schedule):
    agreement = backup_schedule.agreement
    body = login(personas.dispatcher).get(schedules_url(agreement)).content.decode()
    assert "Verify offsite backup replication" in body and "Backups and disaster recovery" in body
    assert edit_url(backup_schedule) in body and "Generate now" in body
    for persona in ("technician", "billing"):
        response = login(getattr(personas, persona)).get(schedules_url(agreement))
        assert response.status_code == 200
        assert edit_url(backup_schedule) not in response.content.decode()
        assert login(getattr(personas, persona)).get(edit_url(backup_schedule)).status_code == 403
    for persona in ("contact", "outsider"):
        assert login(getattr(personas, persona)).get(schedules_url(agreement)).status_code == 403
        assert login(getattr(personas, persona)).get(edit_url(backup_schedule)).status_code == 403


@pytest.mark.parametrize("data,field_error", [
    (form(rrule="FREQ=SECONDLY"), "Recurrence (RRULE): &quot;FREQ=SECONDLY&quot; must have "
                                  "FREQ=DAILY, WEEKLY, MONTHLY or YEARLY"),
    (form(rrule="FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30"), "never fires in the next two years"),
    (form(minutes="0"), "Estimated minutes: must be a whole number of minutes, at least 1"),
    (form(minutes="-15"), "Estimated minutes: must be a whole number of minutes, at least 1"),
    (form(local_time="25:00"), "Local time: Enter a valid time."),
])
def test_bad_schedule_input_names_the_field_and_changes_nothing(
        personas, login, backup_schedule, data, field_error):
    before = Schedule.objects.get(pk=backup_schedule.pk)
    response = login(personas.dispatcher).post(edit_url(backup_schedule), data)
    assert response.status_code == 400
    assert field_error in response.content.decode()
    after = Schedule.objects.get(pk=backup_schedule.pk)
    assert (after.rrule, after.local_time, after.estimated_minutes) == (
        before.rrule, before.local_time, before.estimated_minutes)


def test_a_manager_changes_the_rule_time_and_estimate(personas, login, backup_schedule):
    response = login(personas.owner).post(
        edit_url(backup_schedule), form(rrule="FREQ=WEEKLY;BYDAY=TU", local_time="10:30",
                                        minutes="25"))
    assert response.status_code == 302
    assert response["Location"] == schedules_url(backup_schedule.agreement)
    backup_schedule.refresh_from_db()
    assert (backup_schedule.rrule, backup_schedule.local_time,
            backup_schedule.estimated_minutes) == ("FREQ=WEEKLY;BYDAY=TU", dt.time(10, 30), 25)
    # Its future work orders were planned again on Tuesdays at 10:30 New York time.
    planned = WorkOrder.objects.filter(schedule=backup_schedule, status="scheduled")
    assert planned.exists()
    assert all(o.occurrence_on.weekday() == 1 for o in planned)


def test_generate_now_creates_the_work_orders_once(personas, login, platinum_acme):
    c = login(personas.dispatcher)
    response = c.post(f"/maintenance/agreements/{platinum_acme.pk}/generate/", follow=True)
    created = WorkOrder.objects.filter(agreement=platinum_acme).count()
    assert created > 0 and Schedule.objects.filter(agreement=platinum_acme).exists()
    assert f"Generated {created} new work orders" in response.content.decode()
    again = c.post(f"/maintenance/agreements/{platinum_acme.pk}/generate/", follow=True)
    assert "Generated 0 new work orders" in again.content.decode()
    assert WorkOrder.objects.filter(agreement=platinum_acme).count() == created


def test_only_managers_generate(personas, login, platinum_acme):
    for persona in ("technician", "billing", "contact"):
        response = login(getattr(personas, persona)).post(
            f"/maintenance/agreements/{platinum_acme.pk}/generate/")
        assert response.status_code == 403
    assert not WorkOrder.objects.exists()


def test_an_unknown_agreement_or_schedule_is_404_for_staff(personas, login, tiers):
    c = login(personas.dispatcher)
    assert c.get("/maintenance/agreements/999999/schedules/").status_code == 404
    assert c.get("/maintenance/schedules/999999/").status_code == 404

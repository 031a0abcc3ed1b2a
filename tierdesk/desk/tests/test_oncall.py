"""The on-call roster: rotations, members, who is on call now, and the staff page."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import include, path

from tierdesk import urls as root_urls
from tierdesk.core.models import AuditEvent
from tierdesk.desk import urls as desk_urls
from tierdesk.desk.models import OnCallMember
from tierdesk.desk.oncall import (
    on_call_now,
    oncall_member_add,
    oncall_member_move,
    oncall_member_remove,
    oncall_member_update,
    rotation_create,
    rotation_update,
)

# The roster pages live in the "desk" namespace; mount them here in case the desk URL map
# does not include them yet.
_desk_patterns = list(desk_urls.urlpatterns)
if not any(getattr(p, "name", None) == "oncall" for p in _desk_patterns):
    _desk_patterns.append(path("oncall/", include("tierdesk.desk.oncall_urls")))
urlpatterns = [p for p in root_urls.urlpatterns if getattr(p, "namespace", None) != "desk"] + [
    path("desk/", include((_desk_patterns, "desk")))]

START = dt.datetime(2026, 1, 5, 8, 0, tzinfo=dt.UTC)  # a Monday


@pytest.fixture
def rotation(personas):
    rotation = rotation_create(name="Hotline", starts_at=START, shift_days=7,
                               by=personas.owner)
    oncall_member_add(rotation=rotation, user=personas.technician, phone="+1 207 555 0142")
    oncall_member_add(rotation=rotation, user=personas.dispatcher, phone="(207) 555-0143")
    return rotation


def test_members_take_turns_of_shift_days_in_position_order(rotation, personas):
    assert on_call_now(START).user == personas.technician
    assert on_call_now(START + dt.timedelta(days=6, hours=23)).user == personas.technician
    assert on_call_now(START + dt.timedelta(days=7)).user == personas.dispatcher
    assert on_call_now(START + dt.timedelta(days=14)).user == personas.technician


def test_shift_reports_its_phone_and_bounds(rotation):
    shift = on_call_now(START + dt.timedelta(days=8))

    assert shift.phone == "+12075550143"
    assert (shift.starts_at, shift.ends_at) == (START + dt.timedelta(days=7),
                                                START + dt.timedelta(days=14))


def test_nobody_is_on_call_before_the_start_or_without_members(rotation):
    assert on_call_now(START - dt.timedelta(seconds=1)) is None
    rotation_update(rotation=rotation, is_active=False)
    assert on_call_now(START) is None


def test_newest_started_rotation_takes_over(rotation, personas):
    later = rotation_create(name="Summer", starts_at=START + dt.timedelta(days=30))
    oncall_member_add(rotation=later, user=personas.owner, phone="+12075550144")

    assert on_call_now(START + dt.timedelta(days=29)).rotation == rotation
    assert on_call_now(START + dt.timedelta(days=30)).user == personas.owner


def test_on_call_now_rejects_naive_times(rotation):
    with pytest.raises(ValueError, match="timezone-aware"):
        on_call_now(dt.datetime(2026, 1, 5, 8, 0))


def test_member_phone_is_validated_and_normalised(rotation, personas):
    with pytest.raises(ValidationError) as exc:
        oncall_member_add(rotation=rotation, user=personas.owner, phone="call me maybe")
    assert "phone" in exc.value.message_dict

    member = oncall_member_add(rotation=rotation, user=personas.owner, phone="207.555.0199")
    assert member.phone == "+12075550199" and member.position == 3


def test_client_contacts_cannot_be_on_call(rotation, personas):
    with pytest.raises(ValidationError) as exc:
        oncall_member_add(rotation=rotation, user=personas.contact, phone="+12075550100")
    assert "user" in exc.value.message_dict


def test_rotation_names_are_unique_and_shifts_positive(rotation):
    with pytest.raises(ValidationError) as exc:
        rotation_create(name="hotline", starts_at=START)
    assert "name" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        rotation_create(name="Other", starts_at=START, shift_days=0)
    assert "shift_days" in exc.value.message_dict


def test_moving_and_removing_members_keeps_the_order(rotation, personas):
    second = OnCallMember.objects.get(user=personas.dispatcher)
    oncall_member_move(member=second, up=True)

    assert on_call_now(START).user == personas.dispatcher
    oncall_member_remove(member=OnCallMember.objects.get(user=personas.dispatcher))
    assert on_call_now(START + dt.timedelta(days=7)).user == personas.technician


def test_roster_changes_are_audited(rotation, personas):
    member = OnCallMember.objects.get(user=personas.technician)
    oncall_member_update(member=member, phone="+1 207 555 0150", by=personas.owner)

    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"oncall.rotation_created", "oncall.member_added",
            "oncall.member_updated"} <= actions


# --- the page --------------------------------------------------------------------------------

pytestmark_urls = pytest.mark.urls(__name__)


@pytestmark_urls
@pytest.mark.parametrize("role", ["owner", "dispatcher", "technician", "billing"])
def test_every_staff_role_sees_who_is_on_call(login, personas, rotation, role):
    response = login(getattr(personas, role)).get("/desk/oncall/")

    assert response.status_code == 200
    assert b"Hotline" in response.content


@pytestmark_urls
def test_contacts_and_outsiders_are_refused(login, personas, rotation):
    assert login(personas.contact).get("/desk/oncall/").status_code == 403
    assert login(personas.outsider).get(f"/desk/oncall/{rotation.pk}/").status_code == 403


@pytestmark_urls
def test_anonymous_is_sent_to_the_login(client, rotation):
    assert client.get("/desk/oncall/").status_code == 302


@pytestmark_urls
def test_dispatcher_creates_a_rotation_and_adds_a_member(login, personas):
    browser = login(personas.dispatcher)
    response = browser.post("/desk/oncall/", {"name": "Nights", "starts_at":
                                                "2026-01-05T20:00", "shift_days": 1})
    assert response.status_code == 302
    url = response["Location"]

    response = browser.post(url, {"action": "add", "user": personas.technician.pk,
                                  "phone": "207 555 0142"})

    assert response.status_code == 302
    assert OnCallMember.objects.get(rotation__name="Nights").phone == "+12075550142"


@pytestmark_urls
def test_bad_phone_is_shown_next_to_the_field(login, personas, rotation):
    response = login(personas.owner).post(
        f"/desk/oncall/{rotation.pk}/", {"action": "add", "user": personas.owner.pk,
                                            "phone": "nope"})

    assert response.status_code == 200
    assert b"Phone: &quot;nope&quot; is not a valid phone number" in response.content


@pytestmark_urls
def test_technician_cannot_change_the_roster(login, personas, rotation):
    member = OnCallMember.objects.get(user=personas.technician)

    response = login(personas.technician).post(f"/desk/oncall/{rotation.pk}/",
                                               {"action": "remove", "member": member.pk})

    assert response.status_code == 403
    assert OnCallMember.objects.filter(pk=member.pk).exists()


@pytestmark_urls
def test_unknown_rotation_is_404(login, personas):
    assert login(personas.owner).get("/desk/oncall/999/").status_code == 404

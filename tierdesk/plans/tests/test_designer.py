"""The tier designer page: it says whether saving makes a new version, round-trips unchanged,
saves changes through plan_version_save, and puts service errors on the right fields."""

import pytest
from django.urls import reverse

from tierdesk.clients.factories import AgreementFactory
from tierdesk.plans.models import Plan, PlanVersion

pytestmark = pytest.mark.django_db


def form_data(response) -> dict:
    """The values the designer form would submit as rendered (what a browser posts back)."""
    form = response.context["form"]
    data = {}
    for name in form.fields:
        value = form[name].value()
        if isinstance(value, (list, tuple)):
            data[name] = list(value)
        elif isinstance(value, bool):
            if value:
                data[name] = "on"
        elif value is None:
            data[name] = ""
        elif hasattr(value, "strftime"):
            data[name] = value.strftime("%H:%M")
        else:
            data[name] = str(value)
    return data


def test_designer_says_saving_creates_the_next_version_when_agreements_use_it(
        personas, login, acme, ladder):
    gold = ladder[1]
    owner = login(personas.owner)
    url = reverse("plans:plan_edit", args=[gold.plan_id])
    assert "updates version 1 in place" in owner.get(url).content.decode()
    AgreementFactory(client=acme, plan_version=gold)
    page = owner.get(url).content.decode()
    assert "saving creates <strong>version 2</strong>" in page
    assert "Save as version 2" in page


@pytest.mark.parametrize("in_use", [False, True])
def test_posting_the_form_back_unchanged_creates_nothing(personas, login, acme, ladder, in_use):
    platinum = ladder[2]
    if in_use:
        AgreementFactory(client=acme, plan_version=platinum)
    owner = login(personas.owner)
    url = reverse("plans:plan_edit", args=[platinum.plan_id])
    data = form_data(owner.get(url))
    assert data["hours_24x7"] == "on"
    before = platinum.updated_at
    response = owner.post(url, data, follow=True)
    assert "Nothing changed" in response.content.decode()
    assert PlanVersion.objects.filter(plan=platinum.plan).count() == 1
    platinum.refresh_from_db()
    assert platinum.updated_at == before


def test_a_change_on_a_used_tier_saves_version_two(personas, login, acme, ladder, services):
    silver = ladder[0]
    AgreementFactory(client=acme, plan_version=silver)
    owner = login(personas.owner)
    url = reverse("plans:plan_edit", args=[silver.plan_id])
    data = form_data(owner.get(url))
    data |= {"base_fee": "109.00", "hours_mon": "08:00-12:00, 13:00-18:00",
             f"coverage.{services['av'].pk}": "monitored", "change_note": "lunch break"}
    response = owner.post(url, data, follow=True)
    assert "Saved as version 2" in response.content.decode()
    v2 = PlanVersion.objects.get(plan=silver.plan, number=2)
    assert v2.hours["hours"]["mon"] == [["08:00", "12:00"], ["13:00", "18:00"]]
    assert v2.coverage.filter(service=services["av"]).exists()
    assert v2.change_note == "lunch break"


@pytest.mark.parametrize(
    ("changes", "field", "text"),
    [
        ({"channels": []}, "channels", "at least one intake channel"),
        ({"base_fee": "-5"}, "base_fee", "greater than or equal to 0"),
        ({"hours_tz": "Mars/Base"}, "hours_tz", "Mars/Base"),
        ({"hours_tue": "18:00-08:00"}, "hours_tue", "before it starts"),
        ({"hours_wed": "8 to 5"}, "hours_wed", "not an interval"),
        ({"targets.p1.kind": "business", "targets.p1.first_response_minutes": ""},
         "targets.p1.first_response_minutes", "required"),
    ],
)
def test_bad_input_is_shown_on_its_field_and_nothing_is_saved(
        personas, login, ladder, changes, field, text):
    gold = ladder[1]
    owner = login(personas.owner)
    url = reverse("plans:plan_edit", args=[gold.plan_id])
    data = form_data(owner.get(url)) | changes
    if changes.get("channels") == []:
        del data["channels"]
    before = gold.updated_at
    response = owner.post(url, data)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert field in errors and text in " ".join(errors[field])
    assert "Nothing was saved" in response.content.decode()
    gold.refresh_from_db()
    assert gold.updated_at == before


def test_saving_shows_ladder_warnings(personas, login, ladder):
    gold = ladder[1]
    owner = login(personas.owner)
    url = reverse("plans:plan_edit", args=[gold.plan_id])
    data = form_data(owner.get(url)) | {"helpdesk_sessions": "1"}
    page = owner.post(url, data, follow=True).content.decode()
    assert "Gold offers fewer help-desk sessions (1) than Silver (2)" in page


def test_owner_creates_a_tier_from_an_existing_one(personas, login, ladder):
    owner = login(personas.owner)
    url = reverse("plans:plan_create") + f"?from={ladder[2].pk}"
    data = form_data(owner.get(url)) | {"name": "Titanium", "rank": "9", "base_fee": "999"}
    response = owner.post(url, data)
    plan = Plan.objects.get(name="Titanium")
    assert response.status_code == 302
    version = plan.versions.get()
    assert version.number == 1 and version.coverage.count() == 3
    assert version.channels == ladder[2].channels


def test_tier_list_shows_warnings_and_history_links_to_compare(personas, login, ladder, acme):
    gold = ladder[1]
    gold.helpdesk_sessions = 1
    gold.save()
    tech = login(personas.technician)
    page = tech.get(reverse("plans:plan_list")).content.decode()
    assert "Gold offers fewer help-desk sessions (1) than Silver (2)" in page
    assert "Design" not in page
    detail = tech.get(reverse("plans:plan_detail", args=[gold.plan_id])).content.decode()
    assert "v1" in detail

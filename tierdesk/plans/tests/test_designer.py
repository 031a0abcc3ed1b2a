"""The tier designer page: it says whether saving makes a new version, round-trips unchanged,
saves changes through plan_version_save, and puts service errors on the right fields."""

import datetime as dt
from decimal import Decimal
from html.parser import HTMLParser

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


class _FormValues(HTMLParser):
    """What a browser would submit for the page's POST form that posts to the page itself
    (the navbar's logout form has an action)."""

    def __init__(self):
        super().__init__()
        self.data, self._select, self._in_form, self._textarea = [], None, False, None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and a.get("method") == "post" and "action" not in a:
            self._in_form = True
        if not self._in_form:
            return
        if tag == "input" and a.get("name"):
            if a.get("type") in ("checkbox", "radio"):
                if "checked" in a:
                    self.data.append((a["name"], a.get("value", "on")))
            else:
                self.data.append((a["name"], a.get("value", "")))
        elif tag == "select":
            self._select = [a["name"], None, None]
        elif tag == "option" and self._select:
            if self._select[2] is None:
                self._select[2] = a.get("value", "")
            if "selected" in a:
                self._select[1] = a.get("value", "")
        elif tag == "textarea":
            self._textarea = [a["name"], ""]

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._in_form = False
        elif tag == "select" and self._select:
            name, chosen, first = self._select
            self.data.append((name, chosen if chosen is not None else first))
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            self.data.append(tuple(self._textarea))
            self._textarea = None


@pytest.mark.parametrize("index", [0, 1, 2])
def test_the_rendered_designer_posts_back_unchanged(personas, login, acme, ladder, index):
    version = ladder[index]
    version.summary = "Line one\nline two"
    version.save()
    version.targets.filter(kind="same_day").update(same_day_cutoff=dt.time(15, 30))
    version.billing.filter(billable=True).update(hourly_rate=Decimal("140.50"), note="per hour")
    AgreementFactory(client=acme, plan_version=version)
    owner = login(personas.owner)
    url = reverse("plans:plan_edit", args=[version.plan_id])
    parser = _FormValues()
    parser.feed(owner.get(url).content.decode())
    data = {}
    for name, value in parser.data:
        data.setdefault(name, []).append(value)
    response = owner.post(url, data, follow=True)
    assert "Nothing changed" in response.content.decode()
    assert PlanVersion.objects.filter(plan=version.plan).count() == 1

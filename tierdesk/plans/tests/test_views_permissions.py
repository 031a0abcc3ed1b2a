"""Who may use the tier pages: every staff role reads, only the owner designs; client
contacts get 403 (tiers are the MSP's, not a client's), anonymous users go to login."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

READ_PAGES = ["plans:plan_list", "plans:plan_detail", "plans:version_compare",
              "plans:comparison", "plans:comparison_pdf"]
DESIGN_PAGES = ["plans:plan_create", "plans:plan_edit"]


def url(name, version):
    if name in ("plans:plan_detail", "plans:plan_edit"):
        return reverse(name, args=[version.plan_id])
    if name == "plans:version_compare":
        return reverse(name) + f"?a={version.pk}&b={version.pk}"
    return reverse(name)


@pytest.mark.parametrize("role", ["owner", "dispatcher", "technician", "billing"])
@pytest.mark.parametrize("name", READ_PAGES)
def test_every_staff_role_reads_tier_pages(personas, login, ladder, role, name):
    response = login(getattr(personas, role)).get(url(name, ladder[0]))
    assert response.status_code == 200


@pytest.mark.parametrize("role", ["dispatcher", "technician", "billing"])
@pytest.mark.parametrize("name", DESIGN_PAGES)
def test_only_the_owner_designs_tiers(personas, login, ladder, role, name):
    client = login(getattr(personas, role))
    assert client.get(url(name, ladder[0])).status_code == 403
    assert client.post(url(name, ladder[0]), {}).status_code == 403
    assert login(personas.owner).get(url(name, ladder[0])).status_code == 200


@pytest.mark.parametrize("role", ["contact", "outsider"])
@pytest.mark.parametrize("name", READ_PAGES + DESIGN_PAGES)
def test_client_contacts_are_refused(personas, login, ladder, role, name):
    assert login(getattr(personas, role)).get(url(name, ladder[0])).status_code == 403


@pytest.mark.parametrize("name", READ_PAGES + DESIGN_PAGES)
def test_anonymous_users_are_sent_to_login(client, ladder, name):
    response = client.get(url(name, ladder[0]))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_rename_and_deactivate_are_owner_only(personas, login, ladder):
    plan = ladder[0].plan
    tech = login(personas.technician)
    assert tech.post(reverse("plans:plan_rename", args=[plan.pk]),
                     {"name": "Bronze", "rank": 1}).status_code == 403
    assert tech.post(reverse("plans:plan_set_active", args=[plan.pk])).status_code == 403
    owner = login(personas.owner)
    owner.post(reverse("plans:plan_rename", args=[plan.pk]), {"name": "Bronze", "rank": 1})
    owner.post(reverse("plans:plan_set_active", args=[plan.pk]), {"active": "0"})
    plan.refresh_from_db()
    assert (plan.name, plan.is_active) == ("Bronze", False)


def test_unknown_tier_or_version_is_404(personas, login, ladder):
    owner = login(personas.owner)
    assert owner.get(reverse("plans:plan_detail", args=[99999])).status_code == 404
    assert owner.get(reverse("plans:version_compare") + "?a=99999&b=1").status_code == 404
    assert owner.get(reverse("plans:version_compare") + "?a=x").status_code == 404

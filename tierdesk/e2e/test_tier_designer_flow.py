"""The owner reprices Gold in the tier designer while an agreement uses Gold v1: the page
warns that saving makes a new version, the agreement keeps v1, and the comparison of the two
versions highlights the price."""

import datetime as dt

import pytest

from tierdesk.catalog.seed import catalog_load_defaults
from tierdesk.clients.factories import ClientFactory
from tierdesk.clients.services import agreement_draft
from tierdesk.core.models import Role
from tierdesk.core.services import user_create
from tierdesk.plans.models import Plan, PlanVersion
from tierdesk.plans.seed import tiers_load_defaults

pytestmark = pytest.mark.browser

PASSWORD = "Grey-otter-riverbank-17"


def test_repricing_gold_in_use_creates_v2_and_the_agreement_keeps_v1(page, tmp_path):
    catalog_load_defaults()
    tiers_load_defaults()
    owner, _ = user_create(username="olivia", role=Role.OWNER, password=PASSWORD)
    gold = Plan.objects.get(slug="gold")
    v1 = gold.versions.get(number=1)
    agreement = agreement_draft(client=ClientFactory(name="Gull Dental"), plan_version=v1,
                                start_date=dt.date(2030, 1, 1), by=owner)

    page.goto("/login/")
    page.get_by_label("User name").fill("olivia")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/clients/dashboard/")

    page.goto(f"/tiers/{gold.pk}/design/")
    notice = page.locator("#version-notice")
    assert "saving creates version 2" in " ".join(notice.inner_text().split())
    assert "keep version 1" in notice.inner_text()
    page.get_by_label("Base fee a month").fill("279.00")
    page.get_by_label("What changed and why").fill("Costs went up")
    page.get_by_role("button", name="Save as version 2").click()
    page.get_by_text("Saved as version 2; agreements keep version 1.").wait_for()

    v2 = PlanVersion.objects.get(plan=gold, number=2)
    assert str(v2.base_fee) == "279.00"
    agreement.refresh_from_db()
    assert agreement.plan_version_id == v1.pk
    v1.refresh_from_db()
    assert str(v1.base_fee) == "249.00"

    # The tier's history links the two versions to their comparison.
    page.goto(f"/tiers/{gold.pk}/")
    page.get_by_role("link", name="v1 → v2").click()
    page.wait_for_url("**/tiers/compare/**")
    changed = page.locator("tr[data-changed]")
    assert changed.count() >= 1
    changed_text = " ".join(changed.all_inner_texts())
    assert "249" in changed_text and "279" in changed_text
    # Only the price changed (the change note is not an entitlement).
    unchanged_price_rows = page.locator("tr:not([data-changed])", has_text="279")
    assert unchanged_price_rows.count() == 0
    page.screenshot(path=str(tmp_path / "compare.png"), full_page=True)

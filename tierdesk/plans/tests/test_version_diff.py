"""plan_version_diff: every dimension side by side, changed rows flagged."""

from decimal import Decimal

import pytest

from tierdesk.clients.factories import AgreementFactory
from tierdesk.plans.comparison import plan_version_diff
from tierdesk.plans.selectors import version_get
from tierdesk.plans.services import plan_version_save
from tierdesk.plans.tests.conftest import entitlements

pytestmark = pytest.mark.django_db


def test_diff_flags_exactly_the_changed_rows(personas, acme, ladder, services):
    silver = ladder[0]
    AgreementFactory(client=acme, plan_version=silver)
    v2 = plan_version_save(plan=silver.plan, by=personas.owner, entitlements=entitlements(
        silver, base_fee=Decimal("129.00"), channels=["email", "portal", "hotline"],
        coverage={services["backup"].pk: "maintained"}))

    rows = plan_version_diff(version_get(silver.pk), version_get(v2.pk))

    changed = {(r.label, r.a.text, r.b.text) for r in rows if r.changed}
    assert changed == {
        ("Base fee", "$99.00", "$129.00"),
        ("24x7 hotline answered live", "—", "✓"),
        ("Backups and disaster recovery", "Monitored only", "Maintained"),
    }
    assert {r.section for r in rows} >= {"Price per month", "Response times", "Help desk",
                                         "Billed on top of the fee", "Coverage hours"}


def test_diff_of_two_tiers_covers_the_union_of_services(ladder):
    rows = plan_version_diff(version_get(ladder[0].pk), version_get(ladder[2].pk))
    by_label = {r.label: r for r in rows}
    assert by_label["Virus definition updates"].a.text == "—"
    assert by_label["Virus definition updates"].b.text == "Fully supported"
    assert by_label["Hours"].b.text == "24x7" and by_label["Hours"].changed
    assert by_label["P1 Critical — first response"].b.text == "1 h wall clock"

"""Current versions follow the newest version; the admin shows frozen versions read-only."""

from decimal import Decimal

import pytest
from django.urls import reverse

from tierdesk.clients.factories import AgreementFactory
from tierdesk.plans.selectors import current_versions, plan_current_version
from tierdesk.plans.services import plan_version_save
from tierdesk.plans.tests.conftest import entitlements

pytestmark = pytest.mark.django_db


def test_current_versions_are_the_newest_of_each_active_tier_in_rank_order(
        personas, acme, ladder):
    gold = ladder[1]
    AgreementFactory(client=acme, plan_version=gold)
    v2 = plan_version_save(plan=gold.plan, by=personas.owner,
                           entitlements=entitlements(gold, base_fee=Decimal("349.00")))
    assert [v.pk for v in current_versions()] == [ladder[0].pk, v2.pk, ladder[2].pk]
    assert plan_current_version(gold.plan) == v2


@pytest.fixture
def admin_client(client, personas):
    personas.owner.is_staff = personas.owner.is_superuser = True
    personas.owner.save()
    client.force_login(personas.owner, backend="django.contrib.auth.backends.ModelBackend")
    return client


def test_admin_edits_unused_versions_and_shows_used_ones_read_only(admin_client, acme, ladder):
    silver, gold = ladder[0], ladder[1]
    AgreementFactory(client=acme, plan_version=gold)
    unused = admin_client.get(reverse("admin:plans_planversion_change", args=[silver.pk]))
    used = admin_client.get(reverse("admin:plans_planversion_change", args=[gold.pk]))
    assert unused.status_code == used.status_code == 200
    assert unused.context["has_change_permission"] is True
    assert used.context["has_change_permission"] is False
    response = admin_client.post(reverse("admin:plans_planversion_change", args=[gold.pk]), {})
    assert response.status_code == 403
    for name in ("plan", "coveredservice", "responsetarget", "billingrule"):
        assert admin_client.get(reverse(f"admin:plans_{name}_changelist")).status_code == 200

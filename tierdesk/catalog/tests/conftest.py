"""Catalog test fixtures.

base.html links to pages of other apps (clients:dashboard, plans:plan_list, …). While those
apps have not mounted them yet, the catalog's page tests run against a URL map with stand-ins
for the missing names, so that they test the catalog and not the state of other apps.
"""

import pytest
from django.urls import NoReverseMatch, clear_url_caches, reverse

from tierdesk.catalog.seed import catalog_load_defaults

NAV_NAMES = ["clients:dashboard", "clients:client_list", "clients:agreement_list",
             "plans:plan_list", "plans:comparison", "portal:home", "api:openapi-view"]


def _missing_nav_names() -> list[str]:
    missing = []
    for name in NAV_NAMES:
        try:
            reverse(name)
        except NoReverseMatch:
            missing.append(name)
    return missing


@pytest.fixture(autouse=True)
def _nav_urls(settings):
    if _missing_nav_names():
        settings.ROOT_URLCONF = "tierdesk.catalog.tests.nav_stub_urls"
        clear_url_caches()
    yield
    clear_url_caches()


@pytest.fixture
def catalog(db):
    """The default catalog, loaded once for the test."""
    catalog_load_defaults()

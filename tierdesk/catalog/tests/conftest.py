import pytest

from tierdesk.catalog.seed import catalog_load_defaults


@pytest.fixture
def catalog(db):
    """The default catalog, loaded for the test."""
    catalog_load_defaults()

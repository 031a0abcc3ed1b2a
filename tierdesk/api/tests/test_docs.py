"""The OpenAPI schema and the interactive docs, which must work with no internet access."""

import re

import pytest

pytestmark = pytest.mark.django_db


def test_openapi_json_lists_every_resource(client):
    schema = client.get("/api/openapi.json").json()

    paths = schema["paths"]
    for path in ("/api/services", "/api/segments", "/api/tasks", "/api/plans",
                 "/api/plans/{plan_id}/versions", "/api/plans/{plan_id}/versions/{version_id}",
                 "/api/clients", "/api/clients/{client_id}/sites",
                 "/api/clients/{client_id}/contacts", "/api/agreements",
                 "/api/agreements/{agreement_id}/send", "/api/agreements/{agreement_id}/sign",
                 "/api/agreements/{agreement_id}/change-tier"):
        assert path in paths, path
    assert "post" in paths["/api/plans/{plan_id}/versions"]
    assert {"BearerTokenAuth", "SessionCookieAuth"} <= set(schema["components"]
                                                          ["securitySchemes"])


def test_docs_page_loads_only_local_assets(client):
    response = client.get("/api/docs")

    assert response.status_code == 200
    html = response.content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in html
    assert "/static/ninja/swagger-ui.css" in html
    # No absolute URL at all: no CDN, no validator badge, no fonts.
    assert re.findall(r"https?://", html) == []
    assert '"validatorUrl": null' in html


def test_swagger_assets_ship_with_django_ninja():
    from pathlib import Path

    import ninja

    static = Path(ninja.__file__).parent / "static" / "ninja"
    for name in ("swagger-ui-bundle.js", "swagger-ui.css", "swagger-ui-init.js"):
        assert (static / name).is_file(), name


def test_swagger_assets_are_found_as_static_files():
    from django.contrib.staticfiles import finders

    assert finders.find("ninja/swagger-ui-bundle.js")

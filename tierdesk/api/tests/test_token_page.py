"""The API tokens page: each staff member manages their own tokens."""

import pytest
from django.urls import reverse

from tierdesk.api.models import ApiToken
from tierdesk.api.services import api_token_create, token_sha256
from tierdesk.api.tests.conftest import ApiClient

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tierdesk.api.tests.urls")]


def test_creating_a_token_shows_it_once_and_stores_only_its_hash(personas, login):
    browser = login(personas.dispatcher)

    response = browser.post(reverse("api_tokens:token_list"),
                            {"name": "nightly export", "scope": "write"})

    assert response.status_code == 200
    raw = response.context["raw_token"]
    token = ApiToken.objects.get(user=personas.dispatcher)
    assert token.token_sha256 == token_sha256(raw)
    assert raw in response.content.decode()
    assert ApiClient(raw).post("/clients", {}).status_code == 422  # authenticated, may write
    again = browser.get(reverse("api_tokens:token_list")).content.decode()
    assert raw not in again and token.prefix in again


def test_page_lists_only_my_tokens(personas, login):
    api_token_create(user=personas.owner, name="owner's script", scope="read")
    api_token_create(user=personas.technician, name="tech laptop", scope="read")

    page = login(personas.technician).get(reverse("api_tokens:token_list")).content.decode()

    assert "tech laptop" in page and "owner&#x27;s script" not in page


def test_revoking_my_token_stops_it_working(personas, login):
    token, raw = api_token_create(user=personas.billing, name="x", scope="read")

    response = login(personas.billing).post(
        reverse("api_tokens:token_revoke", args=[token.pk]))

    assert response.status_code == 302
    assert ApiClient(raw).get("/clients").status_code == 401


def test_nobody_revokes_someone_elses_token(personas, login):
    token, raw = api_token_create(user=personas.owner, name="x", scope="read")

    response = login(personas.dispatcher).post(
        reverse("api_tokens:token_revoke", args=[token.pk]))

    assert response.status_code == 404
    assert ApiClient(raw).get("/clients").status_code == 200


def test_form_errors_name_the_field(personas, login):
    response = login(personas.owner).post(reverse("api_tokens:token_list"),
                                          {"name": "", "scope": "root"})
    assert set(response.context["form"].errors) == {"name", "scope"}
    assert not ApiToken.objects.exists()


@pytest.mark.parametrize("persona", ["contact", "outsider"])
def test_client_contacts_cannot_open_the_page(personas, login, persona):
    response = login(getattr(personas, persona)).get(reverse("api_tokens:token_list"))
    assert response.status_code == 403


def test_anonymous_is_sent_to_login(client, db):
    response = client.get(reverse("api_tokens:token_list"))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_revoke_needs_post(personas, login):
    token, _ = api_token_create(user=personas.owner, name="x", scope="read")
    response = login(personas.owner).get(reverse("api_tokens:token_revoke", args=[token.pk]))
    assert response.status_code == 405

"""Bearer-token API calls pass over the browser middleware (sessions, CSRF, the session user,
messages: core/middleware.py); everything authenticated by the session cookie keeps the
full CSRF protection, and a bearer header never falls back to the session."""

import json

import pytest
from django.test import Client
from django.urls import reverse

from tierdesk.api.models import ApiToken
from tierdesk.api.services import api_token_create

pytestmark = pytest.mark.django_db

BACKEND = "django.contrib.auth.backends.ModelBackend"


def _browser(user) -> Client:
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(user, backend=BACKEND)
    return browser


def _ticket(acme) -> str:
    return json.dumps({"client_id": acme.pk, "channel": "email", "subject": "Printer"})


def test_a_session_ticket_post_without_the_csrf_token_is_refused(personas, acme):
    browser = _browser(personas.dispatcher)

    response = browser.post("/api/tickets", _ticket(acme), content_type="application/json")

    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]


def test_a_session_ticket_post_with_the_csrf_token_is_accepted(personas, acme):
    browser = _browser(personas.dispatcher)
    browser.get(reverse("api_tokens:token_list"))  # a page that sets the CSRF cookie
    token = browser.cookies["csrftoken"].value

    response = browser.post("/api/tickets", _ticket(acme), content_type="application/json",
                            headers={"X-CSRFToken": token})

    assert response.status_code == 201


def test_a_bearer_header_does_not_lift_csrf_from_a_browser_form(personas):
    # Outside /api/ the header means nothing: the form is still session-authenticated.
    browser = _browser(personas.dispatcher)
    _, raw = api_token_create(user=personas.dispatcher, name="script", scope="write")

    response = browser.post(reverse("api_tokens:token_list"),
                            {"name": "forged", "scope": "write"},
                            headers={"Authorization": f"Bearer {raw}"})

    assert response.status_code == 403
    assert not ApiToken.objects.filter(name="forged").exists()


def test_a_bad_bearer_token_is_refused_even_with_a_logged_in_session(personas, acme):
    browser = _browser(personas.dispatcher)

    response = browser.post("/api/tickets", _ticket(acme), content_type="application/json",
                            headers={"Authorization": "Bearer td_not-a-token"})

    assert response.status_code == 401


def test_a_bearer_call_acts_as_the_token_user_not_the_session_user(personas, acme):
    browser = _browser(personas.owner)  # the session is the owner's...
    _, raw = api_token_create(user=personas.contact, name="portal", scope="write")

    response = browser.get(f"/api/clients/{acme.pk}",  # ...the token a contact's
                           headers={"Authorization": f"Bearer {raw}"})
    other = browser.get("/api/clients", headers={"Authorization": f"bearer {raw}"})

    assert response.status_code == 200
    assert other.json()["count"] == 1  # the contact sees its own client only


def test_a_bearer_call_neither_reads_nor_sets_session_or_csrf_cookies(personas, acme):
    _, raw = api_token_create(user=personas.dispatcher, name="script", scope="write")
    http = Client()

    response = http.post("/api/tickets", _ticket(acme), content_type="application/json",
                         headers={"Authorization": f"Bearer {raw}"})

    assert response.status_code == 201
    assert not response.cookies
    assert "Cookie" not in response.get("Vary", "")

"""API test helpers: `bearer(user, scope)` returns a client that sends that user's token."""

import json

import pytest
from django.test import Client

from tierdesk.api.services import api_token_create


class ApiClient:
    """The Django test client speaking JSON with a bearer token, as an API user would."""

    def __init__(self, raw_token: str | None):
        self.http = Client()
        self.raw_token = raw_token

    def _headers(self):
        return {"Authorization": f"Bearer {self.raw_token}"} if self.raw_token else {}

    def get(self, path, params=None):
        return self.http.get(_url(path), params or {}, headers=self._headers())

    def _send(self, method, path, body):
        return getattr(self.http, method)(
            _url(path), data=json.dumps(body if body is not None else {}, default=str),
            content_type="application/json", headers=self._headers(),
        )

    def post(self, path, body=None):
        return self._send("post", path, body)

    def patch(self, path, body=None):
        return self._send("patch", path, body)

    def put(self, path, body=None):
        return self._send("put", path, body)

    def delete(self, path):
        return self.http.delete(_url(path), headers=self._headers())


def _url(path: str) -> str:
    return path if path.startswith("/api/") else "/api" + path


@pytest.fixture
def bearer(db):
    def _bearer(user, scope="write"):
        _, raw = api_token_create(user=user, name=f"{user.username} {scope}", scope=scope)
        return ApiClient(raw)

    return _bearer


@pytest.fixture
def anonymous(db):
    return ApiClient(None)


def fields(response) -> dict[str, str]:
    """{field: message} from a 422 body."""
    assert response.status_code == 422, response.content
    return {row["field"]: row["message"] for row in response.json()["detail"]}

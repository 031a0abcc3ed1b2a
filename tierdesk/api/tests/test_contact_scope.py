"""A client contact's token reaches its own client and nothing else (404, never 403)."""

import pytest

from tierdesk.clients.factories import AgreementFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def acme_agreement(acme):
    return AgreementFactory(client=acme, status="active")


def test_contact_sees_only_its_own_client(personas, bearer, acme, globex):
    api = bearer(personas.contact, "read")

    listing = api.get("/clients").json()

    assert [row["id"] for row in listing["items"]] == [acme.pk]
    assert listing["count"] == 1
    assert api.get(f"/clients/{acme.pk}").status_code == 200
    assert api.get(f"/clients/{globex.pk}").status_code == 404


def test_contact_does_not_see_internal_notes(personas, bearer, acme):
    acme.notes = "slow payer"
    acme.save()
    assert bearer(personas.contact, "read").get(f"/clients/{acme.pk}").json()["notes"] is None
    assert bearer(personas.owner, "read").get(f"/clients/{acme.pk}").json()["notes"] == (
        "slow payer")


def test_outsider_gets_404_for_acmes_client_sites_contacts_and_agreement(
        personas, bearer, acme, acme_agreement):
    api = bearer(personas.outsider, "write")
    site = acme.sites.first()

    for path in (f"/clients/{acme.pk}", f"/clients/{acme.pk}/sites",
                 f"/clients/{acme.pk}/sites/{site.pk}", f"/clients/{acme.pk}/contacts",
                 f"/agreements/{acme_agreement.pk}"):
        response = api.get(path)
        assert response.status_code == 404, path
        assert response.json() == {"detail": "Not found."}
    assert api.get("/agreements").json()["count"] == 0


def test_contact_sees_its_sent_agreements_but_not_drafts(personas, bearer, acme,
                                                         acme_agreement):
    draft = AgreementFactory(client=acme, status="draft")
    api = bearer(personas.contact, "read")

    ids = [row["id"] for row in api.get("/agreements").json()["items"]]

    assert ids == [acme_agreement.pk]
    assert api.get(f"/agreements/{draft.pk}").status_code == 404
    body = api.get(f"/agreements/{acme_agreement.pk}").json()
    assert body["client_id"] == acme.pk
    assert body["feasibility_warnings"] is None  # the MSP's internal assessment


def test_contact_gets_404_for_staff_only_resources(personas, bearer):
    api = bearer(personas.contact, "read")
    for path in ("/services", "/segments", "/tasks", "/plans"):
        assert api.get(path).status_code == 404, path


def test_contact_cannot_write_its_own_client(personas, bearer, acme):
    response = bearer(personas.contact, "write").patch(f"/clients/{acme.pk}", {"phone": "1"})
    assert response.status_code == 403

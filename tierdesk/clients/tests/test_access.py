"""The access helpers: contacts reach only their own client's objects; all else is 404."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404

from tierdesk.clients import access
from tierdesk.clients.factories import AgreementFactory


@pytest.fixture
def acme_agreement(acme, silver):
    return AgreementFactory(client=acme, plan_version=silver, status="active")


def test_outsider_gets_404_for_acmes_client_and_agreement(personas, acme, acme_agreement):
    with pytest.raises(Http404):
        access.client_for_contact(personas.outsider, acme.pk)
    with pytest.raises(Http404):
        access.agreement_for_contact(personas.outsider, acme_agreement.pk)
    assert acme_agreement not in access.agreements_for_contact(personas.outsider)


def test_contacts_are_not_staff(personas, acme, acme_agreement):
    for user in (personas.contact, personas.outsider, AnonymousUser()):
        with pytest.raises(Http404):
            access.client_for_staff(user, acme.pk)
        with pytest.raises(Http404):
            access.agreement_for_staff(user, acme_agreement.pk)


def test_a_contact_sees_its_own_client_and_agreements(personas, acme, acme_agreement):
    assert access.contact_client(personas.contact) == acme
    assert access.client_for_contact(personas.contact, acme.pk) == acme
    assert access.agreement_for_contact(personas.contact, acme_agreement.pk) == acme_agreement
    assert list(access.agreements_for_contact(personas.contact)) == [acme_agreement]


def test_a_contact_does_not_see_drafts(personas, acme, silver):
    draft = AgreementFactory(client=acme, plan_version=silver, status="draft")
    with pytest.raises(Http404):
        access.agreement_for_contact(personas.contact, draft.pk)


def test_staff_are_not_contacts(personas):
    with pytest.raises(Http404):
        access.contact_client(personas.owner)


@pytest.mark.parametrize("role", ["owner", "dispatcher", "technician", "billing"])
def test_every_staff_role_fetches_any_client(personas, acme, acme_agreement, role):
    user = getattr(personas, role)
    assert access.client_for_staff(user, acme.pk) == acme
    assert access.agreement_for_staff(user, acme_agreement.pk) == acme_agreement


def test_garbage_ids_are_404(personas):
    with pytest.raises(Http404):
        access.client_for_staff(personas.owner, "not-a-number")
    with pytest.raises(Http404):
        access.agreement_for_contact(personas.contact, None)

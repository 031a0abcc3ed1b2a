"""Who may open which staff page: managers write, every staff role reads, contacts get 403,
anonymous users go to the login page, unknown ids are 404."""

import pytest
from django.urls import reverse

from tierdesk.clients.factories import AgreementFactory, ContactFactory

READ_PAGES = ["dashboard", "client_list", "client_detail", "agreement_list", "agreement_detail"]
MANAGE_PAGES = ["client_create", "client_edit", "site_create", "site_edit", "contact_create",
                "contact_edit", "contact_invite", "agreement_create", "agreement_edit",
                "agreement_change_tier"]


@pytest.fixture
def urls(acme, silver):
    agreement = AgreementFactory(client=acme, plan_version=silver, status="draft")
    site = acme.sites.get()
    contact = ContactFactory(client=acme, name="Walter")
    args = {
        "dashboard": [], "client_list": [], "agreement_list": [], "client_create": [],
        "agreement_create": [],
        "client_detail": [acme.pk], "client_edit": [acme.pk],
        "site_create": [acme.pk], "site_edit": [acme.pk, site.pk],
        "contact_create": [acme.pk], "contact_edit": [acme.pk, contact.pk],
        "contact_invite": [acme.pk, contact.pk],
        "agreement_detail": [agreement.pk], "agreement_edit": [agreement.pk],
        "agreement_change_tier": [agreement.pk],
    }
    return {name: reverse(f"clients:{name}", args=a) for name, a in args.items()}


@pytest.mark.parametrize("role", ["owner", "dispatcher"])
def test_managers_open_every_page(personas, login, urls, role):
    browser = login(getattr(personas, role))
    for name in READ_PAGES + MANAGE_PAGES:
        response = browser.get(urls[name])
        # Change tier of a draft redirects nowhere: the page renders, the service refuses.
        assert response.status_code == 200, name


@pytest.mark.parametrize("role", ["technician", "billing"])
def test_technicians_and_billing_read_but_do_not_write(personas, login, urls, role):
    browser = login(getattr(personas, role))
    for name in READ_PAGES:
        assert browser.get(urls[name]).status_code == 200, name
    for name in MANAGE_PAGES:
        assert browser.get(urls[name]).status_code == 403, name


@pytest.mark.parametrize("role", ["contact", "outsider"])
def test_client_contacts_get_403_on_every_staff_page(personas, login, urls, role):
    browser = login(getattr(personas, role))
    for name in READ_PAGES + MANAGE_PAGES:
        assert browser.get(urls[name]).status_code == 403, name


def test_status_actions_are_403_for_contacts_and_readers(personas, login, acme, silver):
    agreement = AgreementFactory(client=acme, plan_version=silver, status="active")
    url = reverse("clients:agreement_action", args=[agreement.pk, "suspend"])
    for user in (personas.outsider, personas.contact, personas.technician, personas.billing):
        assert login(user).post(url, {"reason": "x"}).status_code == 403
    agreement.refresh_from_db()
    assert agreement.status == "active"


def test_anonymous_users_are_sent_to_log_in(client, urls):
    for url in urls.values():
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))


def test_unknown_ids_are_404_for_staff(personas, login, acme):
    browser = login(personas.owner)
    assert browser.get(reverse("clients:client_detail", args=[999999])).status_code == 404
    assert browser.get(reverse("clients:agreement_detail", args=[999999])).status_code == 404
    site_of_acme = acme.sites.get()
    wrong_client = reverse("clients:site_edit", args=[acme.pk + 1000, site_of_acme.pk])
    assert browser.get(wrong_client).status_code == 404

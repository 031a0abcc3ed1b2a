import datetime as dt
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from tierdesk.clients import services
from tierdesk.clients.factories import AgreementFactory
from tierdesk.clients.models import Agreement
from tierdesk.clients.tasks import activate_due_agreements_task
from tierdesk.core import clock


def test_signing_an_agreement_that_has_started_activates_it(acme, silver, today):
    agreement = AgreementFactory(client=acme, plan_version=silver, status="sent",
                                 start_date=today)
    signed_at = clock.now()
    services.agreement_sign(agreement=agreement, signed_at=signed_at)
    stored = Agreement.objects.get(pk=agreement.pk)
    assert stored.status == "active"
    assert stored.signed_at == signed_at
    assert stored.activated_at is not None


def test_signing_a_future_agreement_waits_then_activate_due_activates_it(acme, silver, today):
    start = today + dt.timedelta(days=3)
    agreement = AgreementFactory(client=acme, plan_version=silver, status="sent",
                                 start_date=start)
    services.agreement_sign(agreement=agreement, signed_at=clock.now())
    assert Agreement.objects.get(pk=agreement.pk).status == "signed"
    assert services.agreement_activate_due(today=start - dt.timedelta(days=1)) == 0
    assert services.agreement_activate_due(today=start) == 1
    assert Agreement.objects.get(pk=agreement.pk).status == "active"


def test_activate_due_twice_activates_once(acme, silver, today):
    AgreementFactory(client=acme, plan_version=silver, status="signed", start_date=today)
    assert services.agreement_activate_due() == 1
    assert services.agreement_activate_due() == 0
    assert Agreement.objects.filter(status="active").count() == 1


def test_activate_due_uses_the_clients_own_date(globex, silver):
    london_today = services.client_today(globex)
    AgreementFactory(client=globex, plan_version=silver, status="signed",
                     start_date=london_today + dt.timedelta(days=1))
    assert services.agreement_activate_due() == 0


def test_activate_due_task_calls_the_service(acme, silver, today):
    AgreementFactory(client=acme, plan_version=silver, status="signed", start_date=today)
    activate_due_agreements_task()  # tasks run immediately in tests
    assert Agreement.objects.filter(status="active").count() == 1


def test_manual_activation_before_the_start_is_an_error_on_start_date(acme, silver, today):
    agreement = AgreementFactory(client=acme, plan_version=silver, status="signed",
                                 start_date=today + dt.timedelta(days=5))
    with pytest.raises(ValidationError) as exc:
        services.agreement_activate(agreement=agreement)
    assert "start_date" in exc.value.message_dict


def test_suspend_resume_and_end(active, personas, today):
    services.agreement_suspend(agreement=active, by=personas.billing, reason="unpaid")
    services.agreement_resume(agreement=active, by=personas.billing)
    services.agreement_end(agreement=active, end_date=today, reason="moved away",
                           by=personas.owner)
    stored = Agreement.objects.get(pk=active.pk)
    assert (stored.status, stored.end_date, stored.end_reason) == ("ended", today, "moved away")


def test_ending_without_a_reason_is_an_error_on_reason(active, today):
    with pytest.raises(ValidationError) as exc:
        services.agreement_end(agreement=active, end_date=today, reason=" ")
    assert "reason" in exc.value.message_dict


@pytest.mark.django_db(transaction=True)
def test_two_workers_activating_at_once_activate_once(acme, silver, today):
    if connection.vendor == "sqlite":
        pytest.skip("needs PostgreSQL: SQLite serialises writers, so there is no race")
    AgreementFactory(client=acme, plan_version=silver, status="signed", start_date=today)
    results = []

    def work():
        results.append(services.agreement_activate_due())
        connection.close()

    threads = [threading.Thread(target=work) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [0, 1]

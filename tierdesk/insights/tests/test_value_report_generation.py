# ruff: noqa: F811  (pytest fixtures imported by name and used as arguments)
"""Generating the monthly value reports: idempotent, e-mailed reports kept, bad input named,
and the monthly job that generates last month's reports and e-mails each once."""

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from tierdesk.core.models import AuditEvent
from tierdesk.insights.models import ValueReport
from tierdesk.insights.services import (
    value_report_send,
    value_reports_generate,
    value_reports_monthly,
)
from tierdesk.insights.tests.value_report_fixtures import (  # noqa: F401
    MARCH,
    acme_on_silver,
    gold,
    log,
    march,
    ny,
    services,
    silver,
)


def test_generating_twice_keeps_one_report_per_client_and_month(march):
    first = value_reports_generate(month=MARCH)
    second = value_reports_generate(month=MARCH)
    assert (first.created, first.updated) == (1, 0)
    assert (second.created, second.updated, second.kept) == (0, 1, 0)
    assert ValueReport.objects.filter(client=march.client, month=MARCH).count() == 1


def test_a_rerun_replaces_the_snapshot_of_an_unsent_report(march, personas):
    value_reports_generate(month=MARCH)
    log(march.client, personas.technician, ny(2026, 3, 20, 10), 10)
    value_reports_generate(month=MARCH)
    report = ValueReport.objects.get(client=march.client, month=MARCH)
    assert report.data["time"]["sessions"]["overage"] == 2


def test_an_emailed_report_keeps_the_snapshot_the_client_received_unless_forced(
        march, personas):
    value_reports_generate(month=MARCH)
    report = ValueReport.objects.get(client=march.client)
    ValueReport.objects.filter(pk=report.pk).update(emailed_at=ny(2026, 4, 2, 8))
    log(march.client, personas.technician, ny(2026, 3, 20, 10), 10)
    kept = value_reports_generate(month=MARCH)
    assert kept.kept == 1
    assert ValueReport.objects.get(pk=report.pk).data == report.data
    forced = value_reports_generate(month=MARCH, force=True)
    assert forced.updated == 1
    assert ValueReport.objects.get(pk=report.pk).data["time"]["sessions"]["overage"] == 2


def test_generating_for_some_clients_leaves_the_others_alone(march, globex, silver):
    from tierdesk.clients.factories import AgreementFactory

    AgreementFactory(client=globex, plan_version=silver, status="active",
                     start_date=dt.date(2026, 1, 1))
    result = value_reports_generate(month=MARCH, client_ids=[globex.pk])
    assert result.created == 1
    assert list(ValueReport.objects.values_list("client_id", flat=True)) == [globex.pk]


def test_a_run_is_audited_once(march, personas):
    value_reports_generate(month=MARCH, by=personas.owner)
    event = AuditEvent.objects.get(action="value_report.generated")
    assert event.actor == personas.owner
    assert "March 2026: 1 created" in event.message


@pytest.mark.parametrize("month,message", [
    (dt.date(2026, 3, 15), "first day"),
    ("2026-13", "not a month"),
    (dt.date(2999, 1, 1), "has not begun"),
])
def test_a_bad_month_is_refused_naming_the_field(march, month, message):
    with pytest.raises(ValidationError) as exc:
        value_reports_generate(month=month)
    assert message in str(exc.value.message_dict["month"])
    assert ValueReport.objects.count() == 0


def test_the_email_goes_to_the_billing_address_and_portal_contacts_with_the_link(
        march, personas):
    acme = march.client
    acme.billing_email = "accounts@acme.example"
    acme.save()
    value_reports_generate(month=MARCH)
    report = ValueReport.objects.get(client=acme)
    assert value_report_send(report=report) is True
    message = mail.outbox[-1]
    assert message.to == ["accounts@acme.example", "contact@acme.example"]
    assert "March 2026" in message.subject
    assert f"/portal/reports/{report.pk}/" in message.body
    assert "You paid $150.00 for break-fix; Gold would have included it." in message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html" and "Gold would have included it" in html
    report.refresh_from_db()
    assert report.emailed_to == message.to and report.emailed_at is not None
    # Once: a second send does nothing.
    assert value_report_send(report=report) is False
    assert len(mail.outbox) == 1


def test_a_client_without_any_address_is_refused_and_nothing_is_marked(march):
    from tierdesk.clients.models import Contact

    Contact.objects.filter(client=march.client).update(email="")
    value_reports_generate(month=MARCH)
    report = ValueReport.objects.get(client=march.client)
    with pytest.raises(ValidationError) as exc:
        value_report_send(report=report)
    assert "recipients" in exc.value.message_dict
    report.refresh_from_db()
    assert report.emailed_at is None and mail.outbox == []


def test_the_monthly_job_generates_last_month_and_emails_each_report_once(
        march, personas, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        result = value_reports_monthly(today=dt.date(2026, 4, 2))
    assert (result["month"], result["created"], result["emails_queued"]) == (
        "2026-03-01", 1, 1)
    assert [m.to for m in mail.outbox] == [["contact@acme.example"]]
    with django_capture_on_commit_callbacks(execute=True):
        again = value_reports_monthly(today=dt.date(2026, 4, 2))
    assert (again["created"], again["kept"], again["emails_queued"]) == (0, 1, 0)
    assert len(mail.outbox) == 1


def test_the_monthly_job_is_declared_in_the_schedules_module():
    from tierdesk.schedules import tasks

    job = tasks.value_reports_monthly_periodic.s()  # the task instance huey schedules
    # Runs on the 2nd of each month.
    assert job.validate_datetime(dt.datetime(2026, 4, 2, 7, 0))
    assert not job.validate_datetime(dt.datetime(2026, 4, 1, 7, 0))


def test_a_report_month_must_be_the_first_day_and_a_client_has_one_report_a_month(acme):
    from django.db import IntegrityError, transaction

    from tierdesk.insights.factories import ValueReportFactory

    with pytest.raises(ValidationError) as exc:
        ValueReportFactory.build(client=acme, month=dt.date(2026, 3, 5)).full_clean()
    assert "month" in exc.value.message_dict
    ValueReportFactory(client=acme)
    with pytest.raises(IntegrityError), transaction.atomic():
        ValueReportFactory(client=acme)

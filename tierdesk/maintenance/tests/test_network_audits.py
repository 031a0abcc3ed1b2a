"""Network audits: segment-dependent checklists, findings required to complete, and the
audit report PDF for staff and for the client's own contacts."""

import datetime as dt
import hashlib
import io

import pytest
from django.core.exceptions import ValidationError
from pypdf import PdfReader

from tierdesk.clients.factories import ClientFactory
from tierdesk.maintenance import audits
from tierdesk.maintenance.factories import active_agreement
from tierdesk.maintenance.generation import workorders_generate
from tierdesk.maintenance.models import WorkOrder, WorkOrderKind, WorkOrderStatus
from tierdesk.maintenance.services import (
    workorder_attach,
    workorder_complete,
    workorder_item_set,
)

START = dt.date(2026, 1, 5)  # a Monday: the first audit falls on the agreement's start


def _audit(tiers, client, segment: str, tier: str = "platinum") -> WorkOrder:
    agreement = active_agreement(client=client, version=tiers[tier], start=START,
                                 segment_slug=segment)
    workorders_generate(today=START, horizon_days=7, agreement_ids=[agreement.pk])
    return WorkOrder.objects.get(agreement=agreement, kind=WorkOrderKind.AUDIT)


def _sections(order: WorkOrder) -> set[str]:
    return {item["section"] for item in order.checklist}


def _text(pdf: bytes) -> str:
    return " ".join(" ".join((page.extract_text() or "").split())
                    for page in PdfReader(io.BytesIO(pdf)).pages)


@pytest.fixture
def acme_audit(tiers, acme):
    return _audit(tiers, acme, "small-business")


def _finish(order: WorkOrder, by, *, findings="Two unused firewall rules removed.") -> WorkOrder:
    for item in order.checklist[:-1]:
        workorder_item_set(work_order=order, item_key=item["key"], done=True, by=by,
                           note="checked with the office manager" if item is order.checklist[0]
                           else "")
    return workorder_complete(work_order=order, by=by, note="last item postponed",
                              findings=findings)


# -- checklists by segment -----------------------------------------------------------------


def test_a_medical_audit_reviews_access_and_assesses_risk(tiers):
    order = _audit(tiers, ClientFactory(name="Smile Dental"), "medical")
    sections = _sections(order)
    assert "Quarterly user-access review of ePHI systems" in sections
    assert "Annual HIPAA security risk assessment" in sections
    assert "Review audit logs of ePHI systems" in sections
    assert "Quarterly privileged-access review with sign-off" not in sections
    assert order.title == "Network audit (quarterly)"


def test_a_finance_audit_asks_for_sign_off_and_log_evidence(tiers):
    order = _audit(tiers, ClientFactory(name="First Credit Union"), "finance")
    sections = _sections(order)
    assert "Quarterly privileged-access review with sign-off" in sections
    assert "Archive security logs and verify retention" in sections
    assert "Verify backup encryption and key escrow" in sections
    assert not any("HIPAA" in s or "ePHI" in s for s in sections)
    labels = {item["label"] for item in order.checklist}
    assert "Record the sign-off as audit evidence" in labels
    assert "Confirm seven years of logs are retained" in labels


def test_a_small_business_audit_has_only_the_common_sections(acme_audit):
    sections = _sections(acme_audit)
    assert {"Review firewall rules", "External vulnerability scan"} <= sections
    assert not any("HIPAA" in s or "ePHI" in s or "privileged" in s for s in sections)
    assert "Verify backup encryption and key escrow" not in sections


def test_gold_audits_yearly_and_silver_not_at_all(tiers):
    gold = _audit(tiers, ClientFactory(name="Gold Client"), "small-business", tier="gold")
    assert gold.title == "Network audit (yearly)"
    silver = active_agreement(client=ClientFactory(name="Silver Client"),
                              version=tiers["silver"], start=START)
    workorders_generate(today=START, horizon_days=7, agreement_ids=[silver.pk])
    assert not WorkOrder.objects.filter(agreement=silver, kind=WorkOrderKind.AUDIT).exists()


def test_an_audit_covers_the_quarter_before_it_and_the_first_is_a_baseline(tiers, acme):
    first = _audit(tiers, acme, "small-business")
    workorders_generate(today=dt.date(2026, 4, 1), horizon_days=10,
                        agreement_ids=[first.agreement_id])
    second = WorkOrder.objects.get(agreement=first.agreement, kind=WorkOrderKind.AUDIT,
                                   occurrence_on=dt.date(2026, 4, 5))
    assert audits.audit_period(first) == (START, START)
    assert audits.audit_period(second) == (START, dt.date(2026, 4, 5))
    assert second.due_on == dt.date(2026, 4, 6)  # the 5th is a Sunday


# -- completing ------------------------------------------------------------------------------


def test_an_audit_cannot_be_completed_without_findings(acme_audit, personas):
    with pytest.raises(ValidationError) as caught:
        workorder_complete(work_order=acme_audit, by=personas.technician,
                           note="all fine", findings="   ")
    assert "findings" in caught.value.message_dict
    acme_audit.refresh_from_db()
    assert acme_audit.status == WorkOrderStatus.SCHEDULED
    assert acme_audit.completed_at is None


def test_an_audit_with_findings_is_completed_and_keeps_them(acme_audit, personas):
    done = _finish(acme_audit, personas.technician, findings="  Wi-Fi channel overlap.  ")
    done.refresh_from_db()
    assert done.status == WorkOrderStatus.DONE
    assert done.findings == "Wi-Fi channel overlap."


def test_ordinary_maintenance_needs_no_findings(acme_audit, personas):
    order = WorkOrder.objects.filter(kind=WorkOrderKind.MAINTENANCE).first()
    workorder_complete(work_order=order, by=personas.technician, note="done remotely")
    order.refresh_from_db()
    assert order.status == WorkOrderStatus.DONE


# -- the report ------------------------------------------------------------------------------


def test_the_report_names_client_sections_findings_and_evidence(acme_audit, personas, login):
    evidence = workorder_attach(work_order=acme_audit, name="firewall-export.txt",
                                content=b"rule 1 allow 443", by=personas.technician)
    _finish(acme_audit, personas.technician,
            findings="Port 3389 was open to the internet; closed it.")

    response = login(personas.technician).get(f"/audits/{acme_audit.pk}/report.pdf")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "attachment;" in response["Content-Disposition"]
    text = _text(response.content)
    assert "Network audit report" in text
    assert "Acme Dental" in text
    assert "Platinum" in text
    assert "Review firewall rules" in text and "External vulnerability scan" in text
    assert "Port 3389 was open to the internet; closed it." in text
    assert "firewall-export.txt" in text
    assert evidence.sha256 == hashlib.sha256(b"rule 1 allow 443").hexdigest()
    assert evidence.sha256[:16] in text.replace(" ", "")
    assert "Note: checked with the office manager" in text
    assert "(not done)" in text  # the last item was left open
    assert "Draft" not in text
    # The technician's completion note is internal.
    assert "last item postponed" not in text


def test_an_open_audit_prints_as_a_draft_for_staff(acme_audit, personas, login):
    response = login(personas.owner).get(f"/audits/{acme_audit.pk}/report.pdf")
    assert response.status_code == 200
    assert "Draft" in _text(response.content)


def test_staff_list_audits_by_client(acme_audit, personas, login, acme, tiers):
    other = _audit(tiers, ClientFactory(name="Other Office"), "small-business")
    page = login(personas.dispatcher).get(f"/audits/?client={acme.pk}").content.decode()
    assert acme_audit.reference in page
    assert other.reference not in page


def test_the_contact_lists_their_audits_and_downloads_completed_reports(
        acme_audit, personas, login):
    web = login(personas.contact)
    listing = web.get("/audits/portal/").content.decode()
    assert acme_audit.reference in listing
    assert f"/audits/portal/{acme_audit.pk}/report.pdf" not in listing
    assert web.get(f"/audits/portal/{acme_audit.pk}/report.pdf").status_code == 404

    _finish(acme_audit, personas.technician)
    listing = web.get("/audits/portal/").content.decode()
    assert f"/audits/portal/{acme_audit.pk}/report.pdf" in listing
    response = web.get(f"/audits/portal/{acme_audit.pk}/report.pdf")
    assert response.status_code == 200
    assert "Acme Dental" in _text(response.content)


def test_an_outsider_gets_404_for_another_clients_audit_report(acme_audit, personas, login):
    _finish(acme_audit, personas.technician)
    web = login(personas.outsider)
    assert web.get(f"/audits/portal/{acme_audit.pk}/report.pdf").status_code == 404
    assert acme_audit.reference not in web.get("/audits/portal/").content.decode()


def test_contacts_cannot_use_the_staff_report_route(acme_audit, personas, login):
    _finish(acme_audit, personas.technician)
    assert login(personas.contact).get(f"/audits/{acme_audit.pk}/report.pdf").status_code == 403

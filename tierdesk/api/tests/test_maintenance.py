"""/schedules, /work-orders and /audits through HTTP: shapes, filters, bad input naming the
field, completing twice, roles, and contacts limited to their own client."""

import datetime as dt
import hashlib
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from pypdf import PdfReader

from tierdesk.api.tests.conftest import fields
from tierdesk.maintenance.factories import active_agreement, load_tiers
from tierdesk.maintenance.generation import workorders_generate
from tierdesk.maintenance.models import Schedule, WorkOrder, WorkOrderStatus

START = dt.date(2026, 1, 5)  # a Monday


@pytest.fixture
def tiers(db):
    return load_tiers()


@pytest.fixture
def planned(tiers, acme, globex):
    """Acme (small business) on Platinum and Globex (finance) on Gold from START, with the
    first week generated: Acme's quarterly and Globex's yearly audit fall on START."""
    acme_agreement = active_agreement(client=acme, version=tiers["platinum"], start=START,
                                      segment_slug="small-business")
    globex_agreement = active_agreement(client=globex, version=tiers["gold"], start=START,
                                        segment_slug="finance")
    workorders_generate(today=START, horizon_days=7)
    return {"acme": acme_agreement, "globex": globex_agreement}


def _order(agreement, kind="maintenance") -> WorkOrder:
    return WorkOrder.objects.filter(agreement=agreement, kind=kind).order_by("id").first()


def _tick_all(api, order):
    for item in order.checklist:
        assert api.post(f"/work-orders/{order.pk}/items/{item['key']}",
                        {"done": True}).status_code == 200


# -- schedules -------------------------------------------------------------------------------


def test_staff_list_schedules_filtered_by_agreement(planned, personas, bearer):
    response = bearer(personas.technician, "read").get(
        "/schedules", {"agreement": planned["acme"].pk, "limit": 500})
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == Schedule.objects.filter(agreement=planned["acme"]).count() > 5
    row = next(r for r in body["items"] if r["key"] == "audit")
    assert row["kind"] == "audit" and row["rrule"] == "FREQ=MONTHLY;INTERVAL=3"
    assert row["client_id"] == planned["acme"].client_id
    assert {"section", "label"} == set(row["checklist"][0])
    assert {r["agreement_id"] for r in body["items"]} == {planned["acme"].pk}


def test_a_contact_lists_only_its_own_clients_schedules(planned, personas, bearer):
    body = bearer(personas.contact, "read").get("/schedules", {"limit": 500}).json()
    assert body["count"] > 0
    assert {r["agreement_id"] for r in body["items"]} == {planned["acme"].pk}
    other = bearer(personas.contact, "read").get(
        "/schedules", {"agreement": planned["globex"].pk}).json()
    assert other["count"] == 0


def test_a_manager_changes_a_schedules_rule_time_and_estimate(planned, personas, bearer):
    schedule = Schedule.objects.get(agreement=planned["acme"],
                                    title="Review quarantined spam and tune filters")
    response = bearer(personas.dispatcher).patch(
        f"/schedules/{schedule.pk}",
        {"rrule": "FREQ=WEEKLY;BYDAY=TU", "local_time": "08:30", "estimated_minutes": 25})
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["rrule"], body["local_time"], body["estimated_minutes"]) == (
        "FREQ=WEEKLY;BYDAY=TU", "08:30:00", 25)
    schedule.refresh_from_db()
    assert schedule.estimated_minutes == 25


@pytest.mark.parametrize("body, field", [
    ({"rrule": "FREQ=SOMETIMES"}, "rrule"),
    ({"rrule": "FREQ=SECONDLY"}, "rrule"),
    ({"rrule": "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30"}, "rrule"),
    ({"estimated_minutes": 0}, "estimated_minutes"),
    ({"estimated_minutes": -5}, "estimated_minutes"),
    ({"estimated_minutes": "soon"}, "estimated_minutes"),
    ({"local_time": "25:00"}, "local_time"),
])
def test_a_bad_schedule_change_is_422_naming_the_field_and_changes_nothing(
        planned, personas, bearer, body, field):
    schedule = Schedule.objects.get(agreement=planned["acme"], key="audit")
    before = (schedule.rrule, schedule.estimated_minutes, schedule.local_time)
    response = bearer(personas.owner).patch(f"/schedules/{schedule.pk}", body)
    assert field in fields(response)
    schedule.refresh_from_db()
    assert (schedule.rrule, schedule.estimated_minutes, schedule.local_time) == before


def test_only_managers_change_schedules(planned, personas, bearer):
    schedule = Schedule.objects.get(agreement=planned["acme"], key="audit")
    body = {"estimated_minutes": 90}
    assert bearer(personas.technician).patch(f"/schedules/{schedule.pk}", body
                                             ).status_code == 403
    assert bearer(personas.billing).patch(f"/schedules/{schedule.pk}", body
                                          ).status_code == 403
    schedule.refresh_from_db()
    assert schedule.estimated_minutes != 90


def test_an_outsiders_write_token_gets_404_for_another_clients_schedule(
        planned, personas, bearer):
    schedule = Schedule.objects.get(agreement=planned["acme"], key="audit")
    response = bearer(personas.outsider, "write").patch(f"/schedules/{schedule.pk}",
                                                        {"estimated_minutes": 90})
    assert response.status_code == 404
    own = bearer(personas.contact, "write").patch(f"/schedules/{schedule.pk}",
                                                  {"estimated_minutes": 90})
    assert own.status_code == 403


def test_generation_runs_for_the_given_agreements_and_reruns_create_nothing(
        planned, personas, bearer):
    api = bearer(personas.owner)
    first = api.post("/schedules/generate",
                     {"horizon_days": 60, "agreement_ids": [planned["acme"].pk]})
    assert first.status_code == 200, first.content
    body = first.json()
    assert body["agreements"] == 1 and body["created"] > 0
    assert dt.date.fromisoformat(body["window_end"]) - dt.date.fromisoformat(
        body["window_start"]) == dt.timedelta(days=60)
    again = api.post("/schedules/generate",
                     {"horizon_days": 60, "agreement_ids": [planned["acme"].pk]}).json()
    assert again["created"] == 0


def test_a_ten_year_horizon_is_422_naming_the_field(planned, personas, bearer):
    before = WorkOrder.objects.count()
    response = bearer(personas.dispatcher).post("/schedules/generate", {"horizon_days": 3650})
    assert "horizon_days" in fields(response)
    assert WorkOrder.objects.count() == before


def test_generating_for_an_unknown_agreement_is_422(planned, personas, bearer):
    response = bearer(personas.dispatcher).post("/schedules/generate",
                                                {"agreement_ids": [999999]})
    assert "999999" in fields(response)["agreement_ids"]


def test_technicians_cannot_run_generation(planned, personas, bearer):
    assert bearer(personas.technician).post("/schedules/generate", {}).status_code == 403


# -- work orders -----------------------------------------------------------------------------


def test_work_orders_list_with_filters(planned, personas, bearer):
    api = bearer(personas.dispatcher, "read")
    everything = api.get("/work-orders", {"limit": 500}).json()
    assert everything["count"] == WorkOrder.objects.count()
    row = everything["items"][0]
    for key in ("id", "reference", "client_id", "client_name", "kind", "status", "due_on",
                "scheduled_at", "due_at", "overdue", "items_done", "items_total",
                "assigned_to_id"):
        assert key in row
    audits = api.get("/work-orders", {"kind": "audit", "limit": 500}).json()
    assert audits["count"] == 2 and {r["kind"] for r in audits["items"]} == {"audit"}
    acme = api.get("/work-orders", {"client": planned["acme"].client_id,
                                    "due_from": "2026-01-06", "due_to": "2026-01-07"}).json()
    assert acme["count"] > 0
    assert {r["client_id"] for r in acme["items"]} == {planned["acme"].client_id}
    assert {r["due_on"] for r in acme["items"]} <= {"2026-01-06", "2026-01-07"}
    # Everything generated for January 2026 is long past its due time.
    overdue = api.get("/work-orders", {"overdue": True}).json()
    assert overdue["count"] == everything["count"]
    assert api.get("/work-orders", {"overdue": False}).json()["count"] == 0


def test_work_orders_filter_by_assignee_and_status(planned, personas, bearer):
    order = _order(planned["acme"])
    order.assigned_to = personas.technician
    order.save()
    api = bearer(personas.technician, "read")
    mine = api.get("/work-orders", {"assigned_to": "me"}).json()
    assert [r["id"] for r in mine["items"]] == [order.pk]
    assert api.get("/work-orders", {"assigned_to": "none"}).json()["count"] == (
        WorkOrder.objects.count() - 1)
    assert api.get("/work-orders", {"status": "done"}).json()["count"] == 0


@pytest.mark.parametrize("params, field", [
    ({"status": "finished"}, "status"),
    ({"kind": "party"}, "kind"),
    ({"due_from": "next week"}, "due_from"),
    ({"assigned_to": "somebody"}, "assigned_to"),
    ({"due_from": "2026-02-01", "due_to": "2026-01-01"}, "due_to"),
])
def test_bad_work_order_filters_are_422_naming_the_field(planned, personas, bearer,
                                                         params, field):
    assert field in fields(bearer(personas.owner, "read").get("/work-orders", params))


def test_a_contact_sees_only_its_own_clients_work_orders(planned, personas, bearer):
    api = bearer(personas.contact, "read")
    body = api.get("/work-orders", {"limit": 500}).json()
    assert body["count"] == WorkOrder.objects.filter(client=planned["acme"].client).count()
    assert {r["client_id"] for r in body["items"]} == {planned["acme"].client_id}
    assert all(r["assigned_to_id"] is None for r in body["items"])
    globex_order = _order(planned["globex"])
    assert api.get(f"/work-orders/{globex_order.pk}").status_code == 404
    assert api.get("/work-orders", {"client": planned["globex"].client_id}).json()["count"] == 0


def test_the_detail_lists_checklist_keys_and_hides_internal_notes_from_contacts(
        planned, personas, bearer):
    order = _order(planned["acme"])
    tech = bearer(personas.technician)
    _tick_all(tech, order)
    tech.post(f"/work-orders/{order.pk}/complete", {"note": "INTERNAL detail"})

    staff_view = bearer(personas.owner, "read").get(f"/work-orders/{order.pk}").json()
    contact_view = bearer(personas.contact, "read").get(f"/work-orders/{order.pk}").json()
    assert staff_view["completion_note"] == "INTERNAL detail"
    assert contact_view["completion_note"] is None
    assert contact_view["completed_by_id"] is None and staff_view["completed_by_id"]
    assert [i["key"] for i in contact_view["checklist"]] == [i["key"] for i in order.checklist]
    assert contact_view["checklist"][0]["done"] is True
    assert contact_view["checklist"][0]["done_by_id"] is None


def test_a_technician_ticks_items_and_completes_a_work_order(planned, personas, bearer):
    order = _order(planned["acme"])
    api = bearer(personas.technician)
    key = order.checklist[0]["key"]
    ticked = api.post(f"/work-orders/{order.pk}/items/{key}",
                      {"done": True, "note": "all green"})
    assert ticked.status_code == 200, ticked.content
    item = ticked.json()["checklist"][0]
    assert item["done"] is True and item["note"] == "all green"
    assert item["done_by_id"] == personas.technician.pk
    assert ticked.json()["items_done"] == 1

    done = api.post(f"/work-orders/{order.pk}/complete", {"note": "the rest was fine"})
    assert done.status_code == 200, done.content
    assert done.json()["status"] == "done" and done.json()["completed_at"]


def test_completing_with_unticked_items_needs_a_note(planned, personas, bearer):
    order = _order(planned["acme"])
    response = bearer(personas.technician).post(f"/work-orders/{order.pk}/complete", {})
    assert "not ticked" in fields(response)["note"]
    order.refresh_from_db()
    assert order.status == WorkOrderStatus.SCHEDULED


def test_completing_twice_is_409_naming_who_completed_it(planned, personas, bearer):
    order = _order(planned["acme"])
    api = bearer(personas.technician)
    _tick_all(api, order)
    assert api.post(f"/work-orders/{order.pk}/complete", {}).status_code == 200
    again = bearer(personas.owner).post(f"/work-orders/{order.pk}/complete", {})
    assert again.status_code == 409
    assert "already done by technician" in again.json()["detail"]
    key = order.checklist[0]["key"]
    assert api.post(f"/work-orders/{order.pk}/items/{key}", {"done": False}
                    ).status_code == 409


def test_an_unknown_checklist_item_is_422_naming_it(planned, personas, bearer):
    order = _order(planned["acme"])
    response = bearer(personas.technician).post(f"/work-orders/{order.pk}/items/s0-99",
                                                {"done": True})
    assert "s0-99" in fields(response)["item"]
    order.refresh_from_db()
    assert order.done_count == 0


def test_billing_staff_and_contacts_cannot_work_on_work_orders(planned, personas, bearer):
    order = _order(planned["acme"])
    key = order.checklist[0]["key"]
    assert bearer(personas.billing).post(f"/work-orders/{order.pk}/items/{key}", {}
                                         ).status_code == 403
    assert bearer(personas.contact).post(f"/work-orders/{order.pk}/items/{key}", {}
                                         ).status_code == 403
    assert bearer(personas.outsider).post(f"/work-orders/{order.pk}/items/{key}", {}
                                          ).status_code == 404
    order.refresh_from_db()
    assert order.done_count == 0


def _upload(api, order, name: str, content: bytes, note: str = ""):
    return api.http.post(f"/api/work-orders/{order.pk}/attachments",
                         {"file": SimpleUploadedFile(name, content, "text/plain"),
                          "note": note}, headers=api._headers())


def test_attaching_evidence_stores_its_sha256(planned, personas, bearer):
    order = _order(planned["acme"])
    api = bearer(personas.technician)
    response = _upload(api, order, "backup-log.txt", b"job ok", note="nightly job")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["name"] == "backup-log.txt" and body["size"] == 6
    assert body["sha256"] == hashlib.sha256(b"job ok").hexdigest()
    assert body["note"] == "nightly job"
    detail = bearer(personas.contact, "read").get(f"/work-orders/{order.pk}").json()
    assert [e["sha256"] for e in detail["evidence"]] == [body["sha256"]]
    assert detail["evidence"][0]["uploaded_by_id"] is None


def test_an_oversized_attachment_is_422_naming_the_file(planned, personas, bearer, settings):
    settings.TIERDESK_EVIDENCE_MAX_BYTES = 10
    order = _order(planned["acme"])
    response = _upload(bearer(personas.technician), order, "big.txt", b"x" * 11)
    assert "limit is 10 bytes" in fields(response)["file"]
    assert not order.evidence.exists()


def test_an_attachment_without_a_file_is_422(planned, personas, bearer):
    order = _order(planned["acme"])
    api = bearer(personas.technician)
    response = api.http.post(f"/api/work-orders/{order.pk}/attachments", {"note": "x"},
                             headers=api._headers())
    assert "file" in fields(response)


# -- audits ----------------------------------------------------------------------------------


def test_completing_an_audit_without_findings_is_422_naming_findings(planned, personas,
                                                                     bearer):
    audit = _order(planned["acme"], kind="audit")
    api = bearer(personas.technician)
    _tick_all(api, audit)
    response = api.post(f"/work-orders/{audit.pk}/complete", {"findings": ""})
    assert "findings" in fields(response)
    done = api.post(f"/work-orders/{audit.pk}/complete",
                    {"findings": "Guest Wi-Fi reaches the office LAN; isolate it."})
    assert done.status_code == 200
    assert done.json()["findings"] == "Guest Wi-Fi reaches the office LAN; isolate it."


def test_audits_list_for_staff_and_contacts(planned, personas, bearer):
    staff = bearer(personas.owner, "read").get("/audits").json()
    assert staff["count"] == 2
    assert all(r["report_url"].endswith("/report.pdf") for r in staff["items"])
    mine = bearer(personas.contact, "read").get("/audits").json()
    assert mine["count"] == 1
    row = mine["items"][0]
    assert row["client_id"] == planned["acme"].client_id
    assert row["report_url"] is None and row["findings"] is None  # not done yet


def test_the_report_pdf_through_the_api(planned, personas, bearer):
    audit = _order(planned["globex"], kind="audit")
    api = bearer(personas.technician)
    _tick_all(api, audit)
    api.post(f"/work-orders/{audit.pk}/complete", {"findings": "Two admin accounts unused."})

    response = bearer(personas.owner, "read").get(f"/audits/{audit.pk}/report.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)
    text = " ".join(text.split())
    assert "Globex Finance" in text
    assert "Quarterly privileged-access review with sign-off" in text
    assert "Two admin accounts unused." in text

    outsider = bearer(personas.outsider, "read")
    assert outsider.get(f"/audits/{audit.pk}/report.pdf").status_code == 200  # Globex's own
    acme_audit = _order(planned["acme"], kind="audit")
    assert outsider.get(f"/audits/{acme_audit.pk}/report.pdf").status_code == 404


def test_a_contact_gets_404_for_the_report_of_an_audit_not_done(planned, personas, bearer):
    audit = _order(planned["acme"], kind="audit")
    assert bearer(personas.contact, "read").get(f"/audits/{audit.pk}/report.pdf"
                                                ).status_code == 404
    assert bearer(personas.owner, "read").get(f"/audits/{audit.pk}/report.pdf"
                                              ).status_code == 200


def test_an_outsider_gets_404_for_another_clients_work_order(planned, personas, bearer):
    order = _order(planned["acme"])
    api = bearer(personas.outsider, "read")
    assert api.get(f"/work-orders/{order.pk}").status_code == 404
    assert api.get("/audits").json()["count"] == 1  # Globex's own audit only
    assert order.pk not in [r["id"] for r in api.get("/work-orders",
                                                      {"limit": 500}).json()["items"]]

"""A work order's page: the checklist ticked through htmx (errors shown in it), evidence
served through an access-checked view, completion, assignment, missed/cancelled, times in
the client's zone, and who may do what."""

import hashlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tierdesk.maintenance.models import WorkOrder, WorkOrderEvidence
from tierdesk.maintenance.services import workorder_complete

HTMX = {"HTTP_HX_REQUEST": "true"}


def url(order, suffix=""):
    return f"/maintenance/work-orders/{order.pk}/{suffix}"


def tick(c, order, key, done=True, **extra):
    data = {"item": key, **({"done": "on"} if done else {})}
    return c.post(url(order, "items/"), data, **extra)


def test_the_page_shows_the_checklist_by_section_and_times_in_the_clients_zone(
        personas, login, order_today):
    body = login(personas.technician).get(url(order_today)).content.decode()
    assert order_today.reference in body and "Verify offsite backup replication" in body
    for item in order_today.checklist:
        assert item["label"] in body
    assert "(America/New_York)" in body
    assert " 09:00 E" in body  # planned at the schedule's 09:00 local, EST or EDT
    assert f"0 of {len(order_today.checklist)} ticked" in body
    assert 'id="overdue-alert"' not in body
    # Time is logged in the billing panel, loaded into the page.
    assert f"/billing/work-orders/{order_today.pk}/sessions/" in body


def test_the_page_of_an_overdue_work_order_says_so(personas, login, order_overdue):
    body = login(personas.technician).get(url(order_overdue)).content.decode()
    assert 'id="overdue-alert"' in body and "Overdue:" in body
    assert "18:00" in body and "America/New_York" in body


def test_ticking_an_item_through_htmx_answers_with_the_checklist(
        personas, login, order_today):
    key = order_today.checklist[0]["key"]
    c = login(personas.technician)
    response = tick(c, order_today, key, **HTMX)
    assert response.status_code == 200
    body = response.content.decode()
    assert body.lstrip().startswith("<div id=\"checklist\"") or 'id="checklist"' in body
    assert f"1 of {len(order_today.checklist)} ticked" in body
    order_today.refresh_from_db()
    item = order_today.checklist[0]
    assert item["done"] is True and item["done_by"] == personas.technician.pk
    tick(c, order_today, key, done=False, **HTMX)
    order_today.refresh_from_db()
    assert order_today.checklist[0]["done"] is False


def test_an_item_that_no_longer_exists_is_refused_clearly_and_nothing_changes(
        personas, login, order_today):
    before = WorkOrder.objects.get(pk=order_today.pk).checklist
    response = tick(login(personas.technician), order_today, "s999999-0", **HTMX)
    assert response.status_code == 200  # htmx swaps only 2xx: the error is in the card
    body = response.content.decode()
    assert 'id="checklist-error"' in body
    assert 'checklist item &quot;s999999-0&quot; no longer exists' in body
    assert WorkOrder.objects.get(pk=order_today.pk).checklist == before


def test_without_htmx_a_tick_error_comes_back_as_a_message(personas, login, order_today):
    response = tick(login(personas.technician), order_today, "gone-0", follow=True)
    assert "no longer exists" in response.content.decode()


def test_ticking_a_done_work_order_is_refused(personas, login, order_today):
    workorder_complete(work_order=order_today, by=personas.owner, note="done by phone")
    body = tick(login(personas.technician), order_today, order_today.checklist[0]["key"],
                **HTMX).content.decode()
    assert "is already done" in body


def test_evidence_is_stored_with_its_hash_and_served_only_through_the_checked_view(
        personas, login, order_today):
    content = b"backup job log: 0 errors\n"
    c = login(personas.technician)
    response = c.post(url(order_today, "evidence/"),
                      {"file": SimpleUploadedFile("backup.log", content, "text/plain"),
                       "note": "nightly log"})
    assert response.status_code == 302
    evidence = WorkOrderEvidence.objects.get(work_order=order_today)
    sha = hashlib.sha256(content).hexdigest()
    assert (evidence.size, evidence.sha256) == (len(content), sha)
    page = c.get(url(order_today)).content.decode()
    link = url(order_today, f"evidence/{evidence.pk}/")
    assert sha in page and f"{len(content)} bytes" in page and link in page
    assert evidence.file.url not in page  # never the public media URL
    download = c.get(link)
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == content
    assert download["Content-Disposition"].startswith("attachment")
    # Billing staff read it; contacts never; another work order's id does not open it.
    assert login(personas.billing).get(link).status_code == 200
    assert login(personas.contact).get(link).status_code == 403
    assert login(personas.outsider).get(link).status_code == 403
    other = WorkOrder.objects.create(**{
        f.attname: getattr(order_today, f.attname) for f in WorkOrder._meta.concrete_fields
        if f.name not in ("id", "key")}, key="other")
    assert login(personas.technician).get(
        url(other, f"evidence/{evidence.pk}/")).status_code == 404


def test_an_empty_upload_names_the_field_and_stores_nothing(personas, login, order_today):
    response = login(personas.technician).post(
        url(order_today, "evidence/"), {"file": SimpleUploadedFile("empty.txt", b"")})
    assert response.status_code == 400
    assert "File:" in response.content.decode()
    assert not WorkOrderEvidence.objects.exists()


def test_completing_needs_a_note_for_unticked_items_and_happens_once(
        personas, login, order_today):
    c = login(personas.technician)
    response = c.post(url(order_today, "complete/"), {"note": ""})
    assert response.status_code == 400
    assert "say why in the note" in response.content.decode()
    order_today.refresh_from_db()
    assert order_today.status == "scheduled"
    for item in order_today.checklist:
        tick(c, order_today, item["key"], **HTMX)
    response = c.post(url(order_today, "complete/"), {"note": "all fine"})
    assert response.status_code == 302
    order_today.refresh_from_db()
    assert (order_today.status, order_today.completed_by) == ("done", personas.technician)
    page = c.get(url(order_today)).content.decode()
    assert 'id="workorder-status">Done<' in page and "all fine" in page
    again = c.post(url(order_today, "complete/"), {"note": "again"})
    assert again.status_code == 400
    assert f"{order_today.reference} is already done by" in again.content.decode()


def test_a_dispatcher_assigns_and_a_technician_may_only_take_an_unassigned_one(
        personas, login, order_today):
    tech = login(personas.technician)
    assert tech.post(url(order_today, "assign/"),
                     {"technician": personas.owner.pk}).status_code == 403
    tech.post(url(order_today, "assign/"), {"take": "1"})
    order_today.refresh_from_db()
    assert order_today.assigned_to == personas.technician
    login(personas.dispatcher).post(url(order_today, "assign/"),
                                    {"technician": personas.owner.pk})
    order_today.refresh_from_db()
    assert order_today.assigned_to == personas.owner
    response = login(personas.technician).post(url(order_today, "assign/"), {"take": "1"},
                                               follow=True)
    assert "already assigned" in response.content.decode()
    order_today.refresh_from_db()
    assert order_today.assigned_to == personas.owner


def test_managers_mark_missed_or_cancel_and_bad_transitions_are_explained(
        personas, login, order_overdue, order_today):
    assert login(personas.technician).post(
        url(order_overdue, "status/"), {"to": "missed"}).status_code == 403
    d = login(personas.dispatcher)
    assert d.post(url(order_overdue, "status/"),
                  {"to": "missed", "reason": "client closed"}).status_code == 302
    order_overdue.refresh_from_db()
    assert order_overdue.status == "missed"
    workorder_complete(work_order=order_today, by=personas.owner, note="ok")
    response = d.post(url(order_today, "status/"), {"to": "cancelled"})
    assert response.status_code == 400
    assert "cannot go from done to cancelled" in response.content.decode()


def test_billing_staff_read_but_do_not_work(personas, login, order_today):
    c = login(personas.billing)
    page = c.get(url(order_today)).content.decode()
    assert order_today.reference in page and "disabled" in page and "Mark done" not in page
    key = order_today.checklist[0]["key"]
    for suffix, data in (("items/", {"item": key, "done": "on"}), ("complete/", {"note": "x"}),
                         ("assign/", {"take": "1"}), ("status/", {"to": "missed"})):
        assert c.post(url(order_today, suffix), data).status_code == 403
    assert WorkOrder.objects.get(pk=order_today.pk).status == "scheduled"


@pytest.mark.parametrize("persona", ["contact", "outsider"])
def test_contacts_get_the_same_refusal_for_any_work_order_id(
        personas, login, order_today, persona):
    c = login(getattr(personas, persona))
    for pk in (order_today.pk, 999999):
        response = c.get(f"/maintenance/work-orders/{pk}/")
        assert response.status_code == 403
        assert order_today.title not in response.content.decode()
    assert tick(c, order_today, order_today.checklist[0]["key"]).status_code == 403


def test_staff_get_404_for_an_unknown_work_order(personas, login, order_today):
    assert login(personas.technician).get("/maintenance/work-orders/999999/").status_code == 404
    assert login(personas.technician).post("/maintenance/work-orders/999999/items/",
                                           {"item": "x"}).status_code == 404

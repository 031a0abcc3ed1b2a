"""A technician completes a work order: opens Today under Maintenance, opens Acme's work
order, ticks every checklist item (htmx), attaches a small file as evidence, logs 20
minutes in the sessions panel and marks it done. Acme is on Platinum, which includes
scheduled maintenance of the backups it fully supports, so the session is *included*, and
the panel says why."""

import datetime as dt
import hashlib
from zoneinfo import ZoneInfo

import pytest

from tierdesk.billing.models import WorkSession
from tierdesk.clients.factories import ClientFactory, SiteFactory
from tierdesk.core import clock
from tierdesk.core.factories import UserFactory
from tierdesk.core.models import Role
from tierdesk.maintenance.factories import (
    active_agreement,
    load_tiers,
    schedule_for,
    work_order_for,
)
from tierdesk.maintenance.models import WorkOrder

pytestmark = pytest.mark.browser

PASSWORD = "correct horse battery"
TZ = "America/New_York"
EVIDENCE = b"offsite replication: last run OK, 0 errors\n"


def log_in(page, username: str) -> None:
    page.goto("/login/")
    page.get_by_label("User name").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()


def test_a_technician_completes_a_work_order(browser, live_server):
    from playwright.sync_api import expect

    tiers = load_tiers()
    acme = ClientFactory(name="Acme Dental", timezone=TZ)
    SiteFactory(client=acme, name="Main office", drive_minutes=25, has_rmm_agent=True)
    today = clock.now().astimezone(ZoneInfo(TZ)).date()
    agreement = active_agreement(client=acme, version=tiers["platinum"],
                                 start=today - dt.timedelta(days=60),
                                 segment_slug="small-business")
    schedule = schedule_for(agreement, task_title="Verify offsite backup replication")
    order = work_order_for(schedule, due_on=today)
    order.due_at = clock.now() + dt.timedelta(hours=2)  # due later today, whatever the hour
    order.save(update_fields=["due_at"])
    UserFactory(username="tom", role=Role.TECHNICIAN, must_change_password=False)

    context = browser.new_context(base_url=live_server.url)
    context.set_default_timeout(15_000)
    page = context.new_page()
    log_in(page, "tom")

    # Today, grouped by client · site.
    page.get_by_role("link", name="Maintenance", exact=True).click()
    page.wait_for_url("**/maintenance/")
    group = page.locator(".board-group", has_text="Acme Dental · Main office")
    expect(group).to_contain_text(order.reference)
    group.get_by_role("link", name=f"{order.reference} · {order.title}").click()
    page.wait_for_url(f"**/maintenance/work-orders/{order.pk}/")
    expect(page.locator("#workorder-times")).to_contain_text("(America/New_York)")

    # Tick every item; each tick swaps the checklist in place.
    labels = [item["label"] for item in order.checklist]
    assert len(labels) >= 2
    progress = page.locator("#checklist-progress")
    for n, label in enumerate(labels, start=1):
        with page.expect_response(lambda r: r.url.endswith("/items/") and r.status == 200):
            page.get_by_label(label, exact=True).check()
        expect(progress).to_have_text(f"{n} of {len(labels)} ticked")
    expect(page.locator("#checklist-error")).to_have_count(0)

    # Evidence: uploaded, listed with its size and SHA-256.
    page.locator("#id_file").set_input_files(files=[{
        "name": "replication.log", "mimeType": "text/plain", "buffer": EVIDENCE}])
    page.get_by_role("button", name="Attach").click()
    page.wait_for_load_state()
    row = page.locator(".evidence-row", has_text="replication.log")
    expect(row).to_contain_text(hashlib.sha256(EVIDENCE).hexdigest())
    expect(row).to_contain_text(f"{len(EVIDENCE)} bytes")

    # 20 minutes by hand, an hour ago (Acme's local time); the preview says covered first.
    panel = page.locator("#sessions-panel")
    expect(panel.locator("#session-preview #preview")).to_contain_text("covered")
    panel.get_by_text("Log time by hand").click()
    started = (clock.now() - dt.timedelta(hours=1)).astimezone(ZoneInfo(TZ))
    panel.locator("#id_log-started_at").fill(started.strftime("%Y-%m-%dT%H:%M"))
    panel.locator("#id_log-minutes").fill("20")
    with page.expect_response(lambda r: "/sessions/log/" in r.url and r.status == 200):
        panel.get_by_role("button", name="Log session").click()
    session_row = page.locator("#sessions-panel tbody tr").first
    expect(session_row).to_contain_text("Included")
    expect(session_row).to_contain_text(
        "included: Platinum includes scheduled maintenance of Backups and disaster recovery")

    # Done.
    page.get_by_role("button", name="Mark done").click()
    page.wait_for_load_state()
    expect(page.locator("#workorder-status")).to_have_text("Done")
    expect(page.locator("#completed")).to_contain_text("tom")
    expect(page.locator("#sessions-panel tbody tr").first).to_contain_text("Included")
    context.close()

    order = WorkOrder.objects.get(pk=order.pk)
    assert order.status == "done" and all(i["done"] for i in order.checklist)
    assert order.evidence.get().sha256 == hashlib.sha256(EVIDENCE).hexdigest()
    session = WorkSession.objects.get(work_order=order)
    assert (session.minutes, session.work_type, session.classification) == (
        20, "maintenance", "included")

"""SLA attainment per tier, client and month, with a server-side SVG chart."""
# ruff: noqa: F811  (pytest fixtures are imported by name and then requested as arguments)

import datetime as dt

import pytest
from django.urls import reverse

from tierdesk.desk.charts import grouped_bars
from tierdesk.desk.reports import month_range, sla_attainment
from tierdesk.desk.services import ticket_open, ticket_reply, ticket_transition
from tierdesk.desk.tests.desk_fixtures import acme_on_gold, gold, ny  # noqa: F401

pytestmark = pytest.mark.django_db
NOW = ny(2026, 3, 20, 12, 0)


@pytest.fixture
def march(acme_on_gold, personas):
    client = acme_on_gold.client
    on_time = ticket_open(client=client, channel="email", subject="a", priority="p1",
                          opened_at=ny(2026, 3, 2, 9, 0))
    ticket_reply(ticket=on_time, body="x", by=personas.owner, at=ny(2026, 3, 2, 9, 30))
    ticket_transition(ticket=on_time, to="resolved", by=personas.owner, at=ny(2026, 3, 2, 12))
    late = ticket_open(client=client, channel="email", subject="b", priority="p1",
                       opened_at=ny(2026, 3, 3, 9, 0))
    ticket_reply(ticket=late, body="x", by=personas.owner, at=ny(2026, 3, 3, 11, 0))
    still_open = ticket_open(client=client, channel="email", subject="c", priority="p1",
                             opened_at=ny(2026, 3, 4, 9, 0))
    return on_time, late, still_open


def test_attainment_counts_decided_steps_per_tier_and_month(march):
    report = sla_attainment(months=3, now=NOW)
    [row] = report["by_tier"]
    assert row["name"] == "Gold" and row["month"].strftime("%Y-%m") == "2026-03"
    assert row["tickets"] == 3
    assert (row["fr_met"], row["fr_n"], row["fr_pct"]) == (1, 2, 50.0)
    assert (row["res_met"], row["res_n"], row["res_pct"]) == (1, 1, 100.0)
    [client_row] = report["by_client"]
    assert client_row["name"] == "Acme Dental"


def test_months_before_the_window_are_left_out(march):
    assert sla_attainment(months=1, now=ny(2026, 4, 2, 12, 0))["by_tier"] == []


def test_the_months_parameter_is_bounded():
    assert month_range("x") == 6 and month_range("0") == 1 and month_range("99") == 36


def test_the_chart_is_svg_with_escaped_labels():
    svg = grouped_bars(groups=["<b>"], series={"First response met": [75.0]}, title="t")
    assert svg.startswith("<svg") and "&lt;b&gt;" in svg and "<b>" not in svg
    assert 'height="' in svg and "75.0%" in svg


@pytest.mark.parametrize("role,status", [("owner", 200), ("billing", 200),
                                         ("technician", 200), ("contact", 403),
                                         ("outsider", 403)])
def test_who_sees_the_report(personas, login, role, status):
    assert login(getattr(personas, role)).get(reverse("desk:sla_report")).status_code == status


def test_the_report_page_renders_the_chart_and_tables(personas, login, acme_on_gold):
    ticket_open(client=acme_on_gold.client, channel="email", subject="x", priority="p1",
                opened_at=dt.datetime.now(dt.UTC))
    body = login(personas.owner).get(reverse("desk:sla_report")).content.decode()
    assert "<svg" in body and "By tier" in body and "By client" in body
    assert "<script" not in body.split("<main")[1]

"""The comparison sheet: every active tier and channel on the page, a real PDF with the same
content, and a constant, small number of queries."""

import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pypdf import PdfReader

from tierdesk.plans.comparison import comparison_matrix
from tierdesk.plans.models import Channel, PlanVersion
from tierdesk.plans.selectors import current_versions
from tierdesk.plans.services import plan_deactivate
from tierdesk.plans.tests.conftest import tier

pytestmark = pytest.mark.django_db


def test_comparison_page_shows_each_tier_and_channel(personas, login, ladder):
    page = login(personas.dispatcher).get(reverse("plans:comparison")).content.decode()
    for name in ("Silver", "Gold", "Platinum"):
        assert f">{name}<" in page
    for channel in Channel:
        assert channel.label in page
    assert "Download PDF" in page and reverse("plans:comparison_pdf") in page
    assert "Fully supported" in page and "$799.00/month" in page


def test_deactivated_tiers_leave_the_sheet(personas, login, ladder):
    plan_deactivate(plan=ladder[1].plan, by=personas.owner)
    page = login(personas.owner).get(reverse("plans:comparison")).content.decode()
    assert ">Silver<" in page and ">Gold<" not in page


def test_comparison_pdf_is_a_real_pdf_with_tier_names_and_24x7(personas, login, ladder):
    response = login(personas.billing).get(reverse("plans:comparison_pdf"))
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(response.content))
    text = " ".join(page.extract_text() for page in reader.pages)
    for name in ("Silver", "Gold", "Platinum", "24x7"):
        assert name in text
    box = reader.pages[0].mediabox
    assert box.width > box.height  # landscape


def test_the_sheet_uses_a_constant_number_of_queries(personas, login, ladder, services):
    def queries():
        with CaptureQueriesContext(connection) as ctx:
            comparison_matrix(current_versions())
        return len(ctx.captured_queries)

    three = queries()
    tier("Diamond", 4, services=[(s, "supported") for s in services.values()],
         billing=[("break_fix", False)])
    assert queries() == three <= 6


def test_the_sheet_marks_what_each_tier_covers(ladder, services):
    sheet = comparison_matrix(current_versions())
    rows = {row.label: row for section in sheet.sections for row in section.rows}
    backup = rows["Backups and disaster recovery"]
    assert [c.text for c in backup.cells] == ["Monitored only", "Maintained", "Fully supported"]
    assert [c.mark for c in rows["Virus definition updates"].cells] == ["no", "no", "yes"]
    assert [c.text for c in rows["Hours"].cells][2] == "24x7"
    assert [c.text for c in rows["Remote sessions a month"].cells] == [
        "2 × 15 min", "10 × 15 min", "Unlimited"]
    assert "Summary" not in rows  # staff wording stays off the prospect's sheet


def test_exclusions_shared_by_every_tier_are_printed_once(ladder):
    PlanVersion.objects.update(exclusions="Not covered by any tier: hardware purchases.")
    footnotes = comparison_matrix(current_versions()).footnotes
    assert footnotes.count("Not covered by any tier: hardware purchases.") == 1
    assert not any("does not cover" in note for note in footnotes)

    PlanVersion.objects.filter(plan__slug="platinum").update(exclusions="Only projects.")
    footnotes = comparison_matrix(current_versions()).footnotes
    assert "Silver and Gold do not cover: Not covered by any tier: hardware purchases." in footnotes
    assert "Platinum does not cover: Only projects." in footnotes

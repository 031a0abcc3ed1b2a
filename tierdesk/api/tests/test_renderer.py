"""The API's JSON renderer: pydantic-core's types natively, the rest through ninja's
encoder."""

import datetime as dt
import json
from decimal import Decimal

from django.utils.translation import gettext_lazy

from tierdesk.api.renderers import APIJSONRenderer


def _render(data):
    return json.loads(APIJSONRenderer().render(None, data, response_status=200))


def test_money_dates_and_enums_as_the_api_documents_them():
    from tierdesk.plans.models import Priority

    eastern = dt.timezone(-dt.timedelta(hours=5))
    out = _render({"amount": Decimal("12.50"), "day": dt.date(2026, 3, 6),
                   "at": dt.datetime(2026, 3, 6, 14, 30, 0, 123456, tzinfo=dt.UTC),
                   "local": dt.datetime(2026, 3, 6, 9, 30, tzinfo=eastern),
                   "priority": Priority.HIGH})
    assert out == {"amount": "12.50", "day": "2026-03-06", "at": "2026-03-06T14:30:00.123456Z",
                   "local": "2026-03-06T09:30:00-05:00", "priority": Priority.HIGH.value}


def test_what_pydantic_does_not_know_goes_through_ninjas_encoder():
    assert _render({"label": gettext_lazy("Open")}) == {"label": "Open"}

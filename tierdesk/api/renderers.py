"""The API's JSON: pydantic-core's serializer rather than `json.dumps` with an encoder.

Every response body is a dump of a schema, so it holds the types pydantic-core writes
natively (datetimes, dates, Decimals, UUIDs, enums); writing them in Rust took the
serialisation of a new ticket from about a twentieth of the request's CPU to almost
nothing (bench/bench_api_tickets.py). What it does not know (a lazy translation string,
say) goes to ninja's encoder, as before.

The one visible difference from Django's encoder: datetimes keep their microseconds
("2026-03-06T14:30:00.123456Z" rather than "...:00.123Z"), so a value read back compares
equal to the stored one.
"""

from typing import Any

from django.http import HttpRequest
from ninja.renderers import JSONRenderer
from ninja.responses import NinjaJSONEncoder
from pydantic_core import to_json


class APIJSONRenderer(JSONRenderer):
    def render(self, request: HttpRequest, data: Any, *, response_status: int) -> bytes:
        return to_json(data, fallback=_fallback)


_encoder = NinjaJSONEncoder()


def _fallback(value: Any) -> Any:
    return _encoder.default(value)

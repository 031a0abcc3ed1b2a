"""Phone numbers: normalisation to E.164 and the lookup of a caller by number.

Numbers arrive as Twilio sends them (`+12075550123`) but are stored on contacts and clients
as people typed them ("(207) 555-0123", "+1 207 555 0123"). `phone_normalize` turns any of
these into E.164 with the `phonenumbers` package; the default region for numbers written
without a country code is settings/env `TIERDESK_PHONE_REGION` (default "US").

`phone_variants` lists the usual ways one number is written, so that a caller can be found
with one indexed `phone IN (...)` query instead of a scan over every contact — stored
numbers are not rewritten (they belong to the clients app).
"""

import os
import re

import phonenumbers
from django.conf import settings
from django.core.exceptions import ValidationError

DEFAULT_REGION = "US"


def phone_region() -> str:
    """The region assumed for numbers written without a country code."""
    value = getattr(settings, "TIERDESK_PHONE_REGION", None) or os.environ.get(
        "TIERDESK_PHONE_REGION"
    )
    return (value or DEFAULT_REGION).upper()


def phone_parse(raw: str, *, region: str | None = None) -> phonenumbers.PhoneNumber | None:
    """The parsed number, or None when `raw` is not a valid phone number."""
    text = (raw or "").strip()
    if not text or len(text) > 40:
        return None
    try:
        number = phonenumbers.parse(text, region or phone_region())
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return number


def phone_normalize(raw: str, *, region: str | None = None) -> str:
    """`raw` in E.164 (`+12075550123`), or "" when it is not a valid phone number."""
    number = phone_parse(raw, region=region)
    if number is None:
        return ""
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def phone_validate(raw: str, *, field: str = "phone", region: str | None = None) -> str:
    """E.164 of `raw`; ValidationError naming `field` when it is not a valid number."""
    normalized = phone_normalize(raw, region=region)
    if not normalized:
        raise ValidationError(
            {field: f'"{raw}" is not a valid phone number; write it as +<country code> '
                    f"<number>, e.g. +1 207 555 0123"}
        )
    return normalized


def phone_variants(e164: str) -> list[str]:
    """The common written forms of one number (E.164, international and national formats
    with spaces, dashes, dots or nothing between the groups), for an indexed IN lookup."""
    number = phone_parse(e164)
    if number is None:
        return [e164] if e164 else []
    fmt = phonenumbers.PhoneNumberFormat
    cc = str(number.country_code)
    international = phonenumbers.format_number(number, fmt.INTERNATIONAL)
    national = phonenumbers.format_number(number, fmt.NATIONAL)
    # Digit groups as the numbering plan splits them, e.g. ["207", "555", "0123"].
    groups = [g for g in re.split(r"[^\d]+", international.removeprefix(f"+{cc}")) if g]
    national_groups = [g for g in re.split(r"[^\d]+", national) if g]
    forms = {
        phonenumbers.format_number(number, fmt.E164), international, national,
        "".join(national_groups),
    }
    for sep in (" ", "-", ".", ""):
        body = sep.join(groups)
        forms.update({f"+{cc} {body}", f"+{cc}{sep}{body}", f"{cc} {body}", f"{cc}{sep}{body}",
                      f"00{cc} {body}", sep.join(national_groups)})
        if len(groups) >= 2:
            rest = sep.join(groups[1:])
            forms.update({f"({groups[0]}) {rest}", f"+{cc} ({groups[0]}) {rest}",
                          f"({groups[0]}){rest}"})
    return sorted(f for f in forms if f)

"""Time helpers: aware datetimes only, stored in UTC."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from django.core.exceptions import ValidationError
from django.utils import timezone


def now() -> datetime:
    """The current instant, timezone-aware, in UTC."""
    return timezone.now()


def require_aware(value: datetime, name: str) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name}: a timezone-aware datetime is required")
    return value.astimezone(UTC)


def validate_timezone(name: str) -> None:
    """Model/form validator: `name` must be an IANA time zone such as America/New_York."""
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValidationError(f'"{name}" is not a known time zone, e.g. America/New_York') from None


def timezone_choices() -> list[tuple[str, str]]:
    return [(tz, tz) for tz in sorted(available_timezones()) if "/" in tz and "Etc" not in tz]

"""Errors raised by the SLA engine."""


class CalendarError(ValueError):
    """A calendar definition is invalid; the message starts with the offending field.

    Examples: ``hours.mon[1]: "25:00" is not a time``,
    ``tz: unknown time zone "Mars/Base"``.
    """

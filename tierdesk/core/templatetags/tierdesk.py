"""Template filters shared by every app: `{% load tierdesk %}{{ amount|money }}`."""

from django import template
from django.conf import settings

from tierdesk.core.money import format_money

register = template.Library()


@register.filter
def money(value) -> str:
    """An amount in the installation's currency, e.g. $1,250.00; empty for None."""
    if value is None or value == "":
        return ""
    return format_money(value, settings.CURRENCY)

"""Money is Decimal, rounded half-up once, and shown in the installation's currency."""

from decimal import Decimal

import pytest
from django.template import Context, Template
from hypothesis import given
from hypothesis import strategies as st

from tierdesk.core.money import round_money, to_decimal


def test_half_cents_round_up_away_from_zero():
    assert round_money("2.345") == Decimal("2.35")
    assert round_money("-2.345") == Decimal("-2.35")


def test_a_float_is_refused():
    with pytest.raises(TypeError):
        to_decimal(0.1)


@given(st.decimals(min_value=-10**6, max_value=10**6, places=4))
def test_rounding_twice_changes_nothing(value):
    assert round_money(round_money(value)) == round_money(value)


def test_the_money_filter_shows_the_currency(settings):
    settings.CURRENCY = "USD"
    rendered = Template("{% load tierdesk %}{{ a|money }}|{{ b|money }}").render(
        Context({"a": Decimal("1250.5"), "b": None}))
    assert rendered == "$1,250.50|"

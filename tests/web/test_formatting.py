"""Numbers, amounts and dates as each language writes them (what every page and test relies on)."""

from __future__ import annotations

from datetime import date

import pytest
from django.utils import translation

from swingtrade.formatting import format_money, format_percent
from swingtrade.web.templatetags.web import day, num, qty


@pytest.mark.parametrize(
    ("language", "amount", "percent", "number", "when"),
    [
        ("fr", "12\u202f345,68\xa0€", "1,23\u202f%", "1\u202f234\u202f567,50", "21/04/2021"),
        ("en", "€12,345.68", "1.23%", "1,234,567.50", "2021-04-21"),
    ],
)
def test_each_language_has_its_own_separators_and_one_date_format(language, amount, percent, number, when):
    with translation.override(language):
        assert format_money(12345.678, "EUR") == amount
        assert format_percent(0.0123) == percent
        assert num(1234567.5) == number
        assert day(date(2021, 4, 21)) == when


def test_dollar_amounts_keep_their_own_symbol_and_sign():
    with translation.override("fr"):
        assert format_money(-3.2, "USD", signed=True) == "-3,20\xa0$"
        assert format_money(2.1, "USD", signed=True) == "+2,10\xa0$"
    with translation.override("en"):
        assert format_money(-3.2, "USD") == "-$3.20"


def test_an_amount_rounding_to_zero_has_no_sign_and_missing_values_a_dash():
    with translation.override("fr"):
        assert format_money(-0.001, "EUR", signed=True) == "0,00\xa0€"
        assert format_money(None, "EUR") == "–"
        assert format_percent(float("nan")) == "–"


def test_share_quantities_print_whole_numbers_without_decimals():
    with translation.override("fr"):
        assert qty(12) == "12" and qty("133.000000") == "133"

"""User-entered quantities and money amounts as the columns that store them, or a refusal saying why."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext_noop

from portfolio.models import Trade
from swingtrade.errors import DomainError, Phrase

# A Trade/Position column can hold at most this many shares (PositiveBigIntegerField / BigIntegerField).
MAX_SHARES = 2**63 - 1


def fit_amount(value: Any, *, label: str, field: str, model: type = Trade, exact: bool = False) -> Decimal:
    """``value`` as the Decimal the model's ``field`` stores, or a refusal naming ``label``.

    Every money column is a ``DecimalField(max_digits, decimal_places)``: an amount outside it would
    overflow on PostgreSQL (a 500) and be stored unreadable on SQLite. ``exact`` refuses, instead of
    rounding, a value with more decimals than the column keeps (a user's input, not a computed amount).
    """
    column = model._meta.get_field(field)
    limit = Decimal(10) ** (column.max_digits - column.decimal_places)
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise DomainError(
            gettext_noop("%(label)s must be a number."),
            params={"label": Phrase(label)},
            details={field: ["not a number"]},
        )
    if not amount.is_finite():
        raise DomainError(
            gettext_noop("%(label)s must be a finite number."),
            params={"label": Phrase(label)},
            details={field: ["not finite"]},
        )
    too_large = DomainError(
        gettext_noop(
            "%(label)s is too large to record: amounts stay below %(limit)s "
            "(%(digits)d digits before the decimal point)."
        ),
        params={
            "label": Phrase(label),
            "limit": f"{limit:,}",
            "digits": column.max_digits - column.decimal_places,
        },
        details={field: ["too large"]},
    )
    if abs(amount) >= limit:
        raise too_large
    stored = amount.quantize(Decimal(1).scaleb(-column.decimal_places), rounding=ROUND_HALF_UP)
    if exact and stored != amount:
        raise DomainError(
            gettext_noop("%(label)s has more than %(places)d decimal places."),
            params={"label": Phrase(label), "places": column.decimal_places},
            details={field: ["too many decimals"]},
        )
    if abs(stored) >= limit:
        raise too_large
    return stored


def whole_shares(quantity: Any) -> int:
    """A positive whole number of shares (the side carries the direction)."""
    try:
        value = Decimal(str(quantity))
    except (InvalidOperation, ValueError):
        raise DomainError(gettext_noop("Quantity must be a number."), details={"quantity": ["not a number"]})
    if not value.is_finite():
        raise DomainError(
            gettext_noop("Quantity must be a finite number."), details={"quantity": ["not finite"]}
        )
    if value <= 0:
        raise DomainError(
            gettext_noop("Quantity must be positive; the side says the direction."),
            details={"quantity": ["<= 0"]},
        )
    if value > MAX_SHARES:
        raise DomainError(
            gettext_noop("Quantity is too large to record."), details={"quantity": ["too large"]}
        )
    if value != value.to_integral_value():
        raise DomainError(
            gettext_noop("Shares trade in whole units here; fractional quantities are refused."),
            details={"quantity": ["fractional"]},
        )
    return int(value)

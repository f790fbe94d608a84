"""Portfolios and their risk profile: every rule of the settings checked before anything is stored."""

from __future__ import annotations

import math
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_noop

from portfolio import selectors
from portfolio.models import CostProfile, Portfolio
from portfolio.services.amounts import fit_amount
from swingtrade.errors import Conflict, DomainError

PORTFOLIO_FIELDS = (
    "name",
    "base_currency",
    "cash",
    "cost_profile",
    "max_position_weight",
    "max_gross_exposure",
    "allow_short",
    "horizon_days",
    "risk_per_trade",
    "stop_loss_sigmas",
    "cash_margin",
    "order_validity_sessions",
    "max_sector_weight",
    "advice_style",
)


def default_cost_profile() -> CostProfile:
    profile = CostProfile.objects.filter(owner__isnull=True, is_preset=True).order_by("name").first()
    if profile is None:
        raise DomainError(gettext_noop("No cost profile preset exists; run the migrations."))
    return profile


# Risk-profile bounds: (low, low included, high) and what the number means, for the refusal's reason.
PROFILE_BOUNDS: dict[str, tuple[float, bool, float, str]] = {
    "max_position_weight": (0.0, False, 1.0, "the largest position as a fraction of equity"),
    "max_gross_exposure": (0.0, False, 10.0, "long plus short exposure as a multiple of equity"),
    "horizon_days": (1, True, 252, "the holding horizon in sessions"),
    "risk_per_trade": (0.0, False, 0.2, "the equity risked to a stop on one trade"),
    "stop_loss_sigmas": (0.1, True, 20.0, "the stop distance in daily volatilities"),
    "cash_margin": (0.0, True, 1.0, "how far cash may go below zero, as a fraction of equity"),
    "order_validity_sessions": (1, True, 60, "how many sessions an order stays valid"),
    "max_sector_weight": (0.0, False, 1.0, "the largest sector as a fraction of equity"),
}


def _check_bounds(values: dict[str, Any]) -> None:
    errors: dict[str, list[str]] = {}
    reasons: list[str] = []
    for name, (low, low_included, high, meaning) in PROFILE_BOUNDS.items():
        value = values.get(name)
        if value is None:
            continue
        finite = isinstance(value, int | float | Decimal) and math.isfinite(value)
        above_low = finite and (value >= low if low_included else value > low)
        if not (finite and above_low and value <= high):
            interval = f"{'[' if low_included else '('}{low}, {high}]"
            errors[name] = [f"must lie in {interval}"]
            reasons.append(f"{name} ({meaning}) must lie in {interval}, not {value}")
    if errors:
        raise DomainError("; ".join(reasons) + ".", details=errors)


def _check_profile(
    values: dict[str, Any], *, owner: Any, portfolio: Portfolio | None = None, changed: set[str]
) -> None:
    """Every rule of a portfolio's settings, on the full set of values it would have.

    ``portfolio`` is the stored one (None on creation: no positions yet); ``changed`` names the fields the
    request sets, so an edit of the name is not refused because prices moved since the cash was set.
    """
    profile = values.get("cost_profile")
    if profile is not None and profile.owner_id not in (None, owner.pk):
        raise DomainError(
            gettext_noop("That cost profile belongs to someone else."),
            details={"cost_profile": ["not yours"]},
        )
    _check_bounds(values)
    if values["max_gross_exposure"] > 1.0 and values["cash_margin"] <= 0 and not values["allow_short"]:
        raise DomainError(
            gettext_noop("Gross exposure above 100 % needs leverage: allow a cash margin or shorting first."),
            details={"max_gross_exposure": ["leverage is opt-in"]},
        )
    if portfolio is not None and not values["allow_short"] and "allow_short" in changed:
        shorts = list(portfolio.positions.filter(quantity__lt=0).values_list("ticker__symbol", flat=True))
        if shorts:
            raise DomainError(
                gettext_noop("Shorting cannot be turned off while you are short %(symbols)s: cover first."),
                params={"symbols": ", ".join(shorts)},
                details={"allow_short": ["short positions held"]},
            )
    if portfolio is None or changed & {"cash", "cash_margin"}:
        # The trade rule, applied to a cash balance set by hand: cash >= -margin x equity.
        cash = fit_amount(
            values["cash"], label=gettext_noop("Cash"), field="cash", model=Portfolio, exact=True
        )
        positions = 0.0
        if portfolio is not None and cash < 0:
            # In the portfolio's currency: a negative balance is refused while a rate is missing.
            positions = selectors.portfolio_valuation(portfolio).require_rates().net_exposure or 0.0
        equity = float(cash) + positions
        floor = -Decimal(str(values["cash_margin"])) * Decimal(str(max(equity, 0.0)))
        if cash < floor:
            raise DomainError(
                gettext_noop(
                    "Cash %(cash)s is below the allowed %(floor)s (cash margin %(margin)s of equity)."
                ),
                params={
                    "cash": f"{cash:.2f}",
                    "floor": f"{floor:.2f}",
                    "margin": f"{values['cash_margin']:.0%}",
                },
                details={"cash": ["below the cash margin"]},
            )


@transaction.atomic
def portfolio_create(*, owner: Any, name: str, **values: Any) -> Portfolio:
    """A new portfolio: long-only and unlevered unless the risk profile says otherwise."""
    unknown = set(values) - set(PORTFOLIO_FIELDS)
    if unknown:
        raise DomainError(
            gettext_noop("Unknown portfolio fields: %(fields)s"), params={"fields": sorted(unknown)}
        )
    if Portfolio.objects.filter(owner=owner, name=name).exists():
        raise Conflict(gettext_noop("You already have a portfolio named %(name)r."), params={"name": name})
    values.setdefault("cost_profile", default_cost_profile())
    portfolio = Portfolio(owner=owner, name=name, **values)  # unset fields take the model's defaults
    _check_profile({f: getattr(portfolio, f) for f in PORTFOLIO_FIELDS}, owner=owner, changed=set(values))
    portfolio.full_clean()
    portfolio.save()
    return portfolio


@transaction.atomic
def portfolio_update(*, portfolio: Portfolio, **values: Any) -> Portfolio:
    unknown = set(values) - set(PORTFOLIO_FIELDS)
    if unknown:
        raise DomainError(
            gettext_noop("Unknown portfolio fields: %(fields)s"), params={"fields": sorted(unknown)}
        )
    name = values.get("name")
    if name and Portfolio.objects.filter(owner=portfolio.owner, name=name).exclude(pk=portfolio.pk).exists():
        raise Conflict(gettext_noop("You already have a portfolio named %(name)r."), params={"name": name})
    # Locked: a trade recorded meanwhile cannot slip between the checks and the write.
    locked = Portfolio.objects.select_for_update().select_related("cost_profile").get(pk=portfolio.pk)
    current = {f: getattr(locked, f) for f in PORTFOLIO_FIELDS}
    changed = {key for key, value in values.items() if current[key] != value}
    _check_profile({**current, **values}, owner=locked.owner, portfolio=locked, changed=changed)
    for key, value in values.items():
        setattr(locked, key, value)
    locked.full_clean()
    locked.save()
    for key in (*PORTFOLIO_FIELDS, "updated_at"):  # the caller's instance shows what was stored
        setattr(portfolio, key, getattr(locked, key))
    return portfolio

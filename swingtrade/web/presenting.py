"""What the pages say about orders and holdings, in plain words and in the right currency.

Nothing here decides a trade: the numbers come from ``portfolio`` (proposals, valuation, costs) and the
exchange rate from ``market.fx``. This module only turns them into what an investor reads: one sentence
per proposal ("Acheter 12 ABC à cours limité 41,20 $ jusqu'au vendredi 23 avril ; …"), the cost lines
with their rates, the total in the portfolio's currency and the rate and date used to convert it —
or, when no rate exists, a refusal to mix currencies. Holdings are converted by the valuation itself
(``portfolio.selectors.portfolio_valuation``); the pages print what it holds.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from market import calendar, clock, fx
from swingtrade.formatting import format_money, format_percent

# Price increment of US-listed shares at or above 1 $ (SEC Rule 612) and of Euronext large caps above 10 €.
TICK = Decimal("0.01")
ORDER_ACTIONS = ("enter", "add", "trim", "exit", "cover")
BUY_SIDES = ("buy", "cover")


def round_to_tick(price: Any) -> Decimal | None:
    if price is None:
        return None
    return Decimal(str(price)).quantize(TICK, rounding=ROUND_HALF_UP)


def weekday_date(day: date | None) -> str:
    """ "vendredi 23 avril 2021" / "Friday 23 April 2021"."""
    return formats.date_format(day, "l j F Y") if day else "–"


@dataclass(frozen=True)
class CostLine:
    label: str
    amount: float
    rate: str  # the rate or rule behind the amount, e.g. "0,30 % des achats (TTF)"
    term: str = ""  # its glossary anchor


@dataclass
class ProposalDisplay:
    proposal: Any
    currency: str
    base_currency: str
    is_order: bool
    is_protective: bool
    price: Decimal | None
    sentence: str
    costs: list[CostLine] = field(default_factory=list)
    fees_total: float = 0.0  # this order's trading costs: fees, spread, FTT, borrow
    round_trip_costs: float = 0.0  # entry and exit: what the net return deducts (``expected_cost_return``)
    tax: CostLine | None = None
    costs_total: float = 0.0  # fees and tax
    notional: float = 0.0
    total: float | None = None  # cash the order moves, in the trading currency, costs included
    total_in_base: float | None = None
    fx: fx.FxQuote | None = None
    fx_missing: bool = False
    sessions_left: int | None = None


def _cost_lines(proposal: Any, profile: Any) -> list[CostLine]:
    costs = proposal.expected_costs or {}
    side = proposal.side
    commission_rule = _("%(rate)s of the amount, at least %(min)s") % {
        "rate": format_percent(profile.commission_rate, 2),
        "min": format_money(profile.commission_min, proposal.ticker.currency),
    }
    lines = [
        CostLine(_("Broker fees"), costs.get("commission", 0.0), commission_rule),
        CostLine(
            _("Spread (half)"), costs.get("spread", 0.0), _("estimated from recent volatility"), "spread"
        ),
    ]
    if side in BUY_SIDES or costs.get("transaction_tax"):
        ftt_rule = (
            _("%(rate)s of purchases of large French companies")
            % {"rate": format_percent(profile.ftt_rate, 1)}
            if profile.ftt_rate
            else _("not charged by this cost profile")
        )
        lines.append(CostLine(_("FTT (transaction tax)"), costs.get("transaction_tax", 0.0), ftt_rule, "ftt"))
    if side == "short" or costs.get("borrow"):
        lines.append(
            CostLine(
                _("Borrow"),
                costs.get("borrow", 0.0),
                _("%(rate)s a year") % {"rate": format_percent(profile.borrow_rate_annual, 2)},
                "borrow",
            )
        )
    return lines


def _tax_line(proposal: Any, profile: Any) -> CostLine | None:
    """The tax a sale may owe: apart from the trading costs (the engine's cost rate leaves it out too)."""
    if proposal.side not in ("sell", "cover") and not _tax_amount(proposal):
        return None
    return CostLine(
        _("Tax on the gain (PFU)"),
        _tax_amount(proposal),
        _("%(rate)s of a realised gain, due next year")
        % {"rate": format_percent(profile.capital_gains_rate, 0)},
        "pfu",
    )


def _tax_amount(proposal: Any) -> float:
    return float((proposal.expected_costs or {}).get("capital_gains_tax", 0.0) or 0.0)


def _tax_words(proposal: Any, currency: str) -> str:
    tax = _tax_amount(proposal)
    if tax:
        return _("tax on the gain about %(tax)s") % {"tax": format_money(tax, currency)}
    return _("no tax now")


def _order_sentence(p: Any, display: ProposalDisplay) -> str:
    values = {
        "qty": p.quantity,
        "symbol": p.ticker.symbol,
        "price": format_money(display.price, display.currency),
        "until": weekday_date(p.valid_until),
        "pfill": format_percent(p.fill_probability, 0),
        # The sentence names the tax apart: "costs" there are what the order pays to trade.
        "costs": format_money(display.fees_total, display.currency),
        "tax": _tax_words(p, display.currency),
    }
    if display.is_protective:
        return (
            _(
                "Once the purchase is filled, protect it: sell %(qty)s %(symbol)s if the price falls to "
                "%(price)s (stop order until %(until)s); %(pfill)s chance it triggers."
            )
            % values
        )
    verbs = {
        "buy": _("Buy %(qty)s %(symbol)s"),
        "sell": _("Sell %(qty)s %(symbol)s"),
        "short": _("Sell short %(qty)s %(symbol)s"),
        "cover": _("Buy back %(qty)s %(symbol)s"),
    }
    head = verbs.get(p.side, verbs["buy"]) % values
    if p.order_type == "market" or display.price is None:
        where = _("at the market price")
    else:
        where = _("at a limit of %(price)s") % values
    rest = _("until %(until)s; %(pfill)s chance to fill; costs %(costs)s, %(tax)s.") % values
    return f"{head} {where} {rest}"


def _nothing_sentence(p: Any, currency: str) -> str:
    values = {
        "symbol": p.ticker.symbol,
        "gross": format_percent(p.expected_gross_return, 2, signed=True),
        "costs": format_percent(p.expected_cost_return, 2),
    }
    if p.action == "skip":
        return (
            _(
                "Nothing to do on %(symbol)s: the expected gain (%(gross)s) "
                "does not cover the costs (%(costs)s)."
            )
            % values
        )
    if p.action == "hold":
        return (
            _("Keep %(symbol)s as it is: changing it would cost more than it is expected to earn.") % values
        )
    return _("No order on %(symbol)s.") % values


def proposal_displays(proposals: Any, portfolio: Any, *, today: date | None = None) -> list[ProposalDisplay]:
    """:func:`proposal_display` of each proposal, the rates they convert at read in one query."""
    proposals = list(proposals)
    wanted = ((p.ticker.currency or portfolio.base_currency, p.as_of) for p in proposals)
    rates = fx.fx_rates_on(wanted, portfolio.base_currency)
    return [proposal_display(p, portfolio, today=today, rates=rates) for p in proposals]


def proposal_display(
    proposal: Any,
    portfolio: Any,
    *,
    today: date | None = None,
    rates: Mapping[tuple[str, date], fx.FxQuote | None] | None = None,
) -> ProposalDisplay:
    """The sentence, cost lines, totals and conversion of one stored proposal (``rates``: read by
    :func:`proposal_displays` for a list; one proposal reads its own)."""
    currency = proposal.ticker.currency or portfolio.base_currency
    is_order = bool(proposal.quantity) and proposal.action in ORDER_ACTIONS and bool(proposal.side)
    is_protective = is_order and proposal.order_type in ("stop", "stop_limit")
    price = round_to_tick(
        proposal.stop_price if is_protective else (proposal.limit_price or proposal.reference_price)
    )
    display = ProposalDisplay(
        proposal=proposal,
        currency=currency,
        base_currency=portfolio.base_currency,
        is_order=is_order,
        is_protective=is_protective,
        price=price,
        sentence="",
    )
    if not is_order:
        display.sentence = _nothing_sentence(proposal, currency)
        return display
    display.costs = _cost_lines(proposal, portfolio.cost_profile)
    display.fees_total = sum(line.amount for line in display.costs)
    display.tax = _tax_line(proposal, portfolio.cost_profile)
    display.costs_total = display.fees_total + (display.tax.amount if display.tax else 0.0)
    display.notional = float(price or 0) * proposal.quantity
    display.round_trip_costs = proposal.expected_cost_return * display.notional
    pays = proposal.side in BUY_SIDES
    display.total = display.notional + display.costs_total if pays else display.notional - display.costs_total
    if rates is None:
        rates = fx.fx_rates_on([(currency, proposal.as_of)], portfolio.base_currency)
    display.fx = rates[(currency.upper(), proposal.as_of)]
    display.fx_missing = display.fx is None
    if display.fx is not None:
        display.total_in_base = display.fx.convert(display.total)
    if proposal.valid_until:
        exchange = _exchange(proposal.ticker)
        day = today or clock.today(exchange)
        expired = proposal.valid_until < day
        display.sessions_left = (
            -1 if expired else calendar.sessions_after(exchange, day, proposal.valid_until)
        )
    display.sentence = _order_sentence(proposal, display)
    return display


def _exchange(ticker: Any) -> str:
    try:
        return calendar.exchange_for(getattr(ticker, "exchange", None))
    except ValueError:  # an exchange code without a calendar: the listing venue of the sample
        return calendar.DEFAULT_EXCHANGE


def countdown(display: ProposalDisplay) -> str:
    """ "3 séances restantes", "dernier jour" or "expiré"."""
    if display.sessions_left is None:
        return ""
    if display.sessions_left < 0:
        return _("expired")
    if display.sessions_left == 0:
        return _("last day")
    return ngettext("%(n)d session left", "%(n)d sessions left", display.sessions_left) % {
        "n": display.sessions_left
    }


def nothing_to_do_reason(displays: list[ProposalDisplay]) -> str | None:
    """Why there is no order today, when none of the proposals is one (None when some are)."""
    if any(d.is_order for d in displays):
        return None
    skipped = sum(1 for d in displays if d.proposal.action == "skip")
    if skipped:
        return ngettext(
            "The model's expected gain on the %(n)d stock it looked at does not cover its costs.",
            "The model's expected gains on the %(n)d stocks it looked at do not cover their costs.",
            skipped,
        ) % {"n": skipped}
    return _("Your holdings already match the advice; changing them would cost more than it earns.")


# --- forecasts ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ForecastFigure:
    """A stock's forecast as every page shows it, over ``horizon`` sessions (the portfolio's).

    ``expected`` is what the advice uses — the figure of the proposal row, its sentence and the optimiser,
    from the same function (``portfolio.optimize.inputs.horizon_expected_returns``): the model's log
    return rescaled to the horizon and shrunk by its measured reliability. ``model`` is the model's own
    forecast over the same horizon before that shrinkage (reliability 1).
    """

    model: float
    expected: float
    horizon: int


def advice_horizon(portfolios: Any, model_horizon: int) -> int:
    """The horizon the pages state forecasts over: the user's first portfolio's, else the model's."""
    first = next(iter(portfolios), None)
    return int(first.horizon_days) if first is not None else int(model_horizon)


def forecast_figure(log_return: float, *, model_version: Any, horizon: int) -> ForecastFigure:
    import pandas as pd

    from portfolio.optimize.inputs import horizon_expected_returns

    def over_horizon(reliability: float) -> float:
        series = pd.Series([float(log_return)])
        scaled = horizon_expected_returns(
            series, reliability=reliability, model_horizon=model_version.horizon, horizon=horizon
        )
        return float(scaled.iloc[0])

    return ForecastFigure(over_horizon(1.0), over_horizon(float(model_version.reliability)), horizon)


# --- trade entry ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SizeCheck:
    """A fill's position against the profile's cap, before it is recorded (in the portfolio's currency)."""

    symbol: str
    weight_after: float  # |position after the fill| / equity after it
    cap: float

    @property
    def above_cap(self) -> bool:
        return self.weight_after > self.cap

    @property
    def warning(self) -> str:
        return _(
            "After this trade %(symbol)s would be %(weight)s of the portfolio, above your limit of %(cap)s "
            "per position. Record it anyway if it is what you executed, or change the quantity."
        ) % {
            "symbol": self.symbol,
            "weight": format_percent(self.weight_after, 1),
            "cap": format_percent(self.cap, 0),
        }


def size_check(
    *,
    valuation: Any,
    cap: float,
    symbol: str,
    signed_shares: int,
    price_in_base: float,
    cash_flow_in_base: float,
) -> SizeCheck | None:
    """The position's weight if this fill were recorded, from the valuation in the portfolio's currency
    (``portfolio.selectors.portfolio_valuation``); None when it has no equity (a missing rate: the page
    says so, and the trade will too).

    ``signed_shares`` is + for buys and covers, − for sells and shorts; ``cash_flow_in_base`` what the
    fill does to cash (fees left out: a few euros do not move a weight).
    """
    if valuation.equity is None:
        return None
    held = next((p for p in valuation.positions if p.ticker == symbol), None)
    shares_before = held.quantity if held else 0
    value_before = (held.market_value_base or 0.0) if held else 0.0
    shares_after = shares_before + signed_shares
    value_after = shares_after * price_in_base
    equity_after = valuation.equity + cash_flow_in_base + (value_after - value_before)
    if equity_after <= 0:
        return SizeCheck(symbol, float("inf"), cap)
    return SizeCheck(symbol, abs(value_after) / equity_after, cap)

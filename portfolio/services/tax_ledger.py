"""The per-portfolio tax ledger, booked with each trade (reads: :mod:`portfolio.tax_reads`)."""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.db.models import F

from portfolio.models import TaxYear, Trade
from portfolio.tax import rules
from portfolio.tax_reads import tax_position_of

# Only closing trades realise a gain or a loss (sales of longs, covers of shorts).
REALISING_SIDES = ("sell", "cover")


def taxable_result(trade: Trade) -> Decimal:
    """What a closing trade adds to the year's result: its realised P&L at average cost less its fees.

    The stored average cost excludes purchase fees, so this slightly overstates gains (a cautious
    estimate of the tax); sale fees are deducted as French rules allow.
    """
    if trade.side not in REALISING_SIDES:
        return Decimal("0")
    return trade.realised_pnl - trade.fees


@transaction.atomic
def trade_tax_book(*, trade: Trade) -> Trade:
    """Add a booked trade's realised result to its year and record its tax effect on the trade.

    ``trade.capital_gains_tax`` becomes the change of the year's bill the trade causes, carried-forward
    losses included (negative: a loss that gives back tax on the year's gains). Called once, where
    ``portfolio.services.trade_record`` books the trade, inside its transaction.
    """
    result = taxable_result(trade)
    if result == 0:
        return trade
    year = trade.traded_on.year
    position = tax_position_of(trade.portfolio, year=year)
    effect = rules.sale_tax(position, float(result))
    row, _ = TaxYear.objects.select_for_update().get_or_create(portfolio_id=trade.portfolio_id, year=year)
    if result > 0:
        row.realised_gains = F("realised_gains") + result
    else:
        row.realised_losses = F("realised_losses") - result
    row.save()
    trade.capital_gains_tax = Decimal(str(round(effect, 6)))
    trade.save(update_fields=["capital_gains_tax"])
    return trade

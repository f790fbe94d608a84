"""The one path from a decided order to stored proposals, shared by the proposal engine and the optimiser.

A caller (the engine's hold / exit / enter decisions, the optimiser's share changes) decides *what* to
trade: ticker, action, side, quantity and the expected return. :func:`propose` does the rest the same way
for both — price the order on its trade-off curve (:mod:`portfolio.orders.pricing`) under the caller's
execution rule, set the entry's stop-loss and take-profit, cost it and store it, and, on request, store
the entry's protective stop as the next proposal.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum

from portfolio import costs
from portfolio.models import OrderProposal
from portfolio.orders import pricing
from portfolio.proposals.batch import ProposalBatch, entry_levels, order_plan, protective_plan
from portfolio.proposals.store import proposal_store

A = OrderProposal.Action
ENTRY_ACTIONS = frozenset({A.ENTER, A.ADD})
RULE_TRIGGERED = "Market order: the rule is triggered, and waiting for a better price risks more."


class Execution(StrEnum):
    """How an order is priced on its trade-off curve."""

    ON_ITS_EDGE = "on_its_edge"  # best expected value; stored as a skip when that is not above zero
    MUST_FILL = "must_fill"  # a step to a target: best value among prices that fill often enough
    MARKET = "market"  # a rule (stop-loss, take-profit, weight limit): no waiting


def share_change_orders(current: int, delta: int) -> list[tuple[str, int, str]]:
    """(side, quantity, action) of a signed share change; crossing zero is a close then an open."""
    target = current + delta
    if delta > 0:
        if current < 0:
            cover = min(delta, -current)
            out = [(costs.COVER, cover, A.COVER if target >= 0 else A.TRIM)]
            if target > 0:
                out.append((costs.BUY, target, A.ENTER))
            return out
        return [(costs.BUY, delta, A.ENTER if current == 0 else A.ADD)]
    if current > 0:
        sell = min(-delta, current)
        out = [(costs.SELL, sell, A.EXIT if target <= 0 else A.TRIM)]
        if target < 0:
            out.append((costs.SHORT, -target, A.ENTER))
        return out
    return [(costs.SHORT, -delta, A.ENTER if current == 0 else A.ADD)]


def propose(
    batch: ProposalBatch,
    ticker: str,
    action: str,
    side: str,
    quantity: int,
    *,
    expected_return: float,
    reasons: Sequence[str],
    execution: Execution,
    protective_stop: bool = False,
    day_notes: Sequence[str] = (),
) -> list[OrderProposal]:
    """Price, cost and store one decided order; returns what was stored (a skip, the order, its stop).

    ``reasons`` say why the caller decided the order; the pricing adds its own; ``day_notes`` (e.g. "the
    day is a holiday") head every proposal stored, the protective stop's too. An entry (enter / add)
    gets its stop-loss and take-profit around its price; with ``protective_stop`` the stop is also
    stored as its own order, valid over the holding horizon, to place once the entry fills.
    """
    is_entry = action in ENTRY_ACTIONS
    plan = order_plan(batch, ticker, side, quantity, expected_return=expected_return, is_entry=is_entry)
    if execution == Execution.MARKET:
        plan = pricing.market_plan(plan, RULE_TRIGGERED)
    elif execution == Execution.MUST_FILL:
        plan = pricing.must_fill_plan(plan)
    notes = [*day_notes, *reasons, *plan.reasons]
    entry = stop = take = None
    if is_entry:
        entry, stop, take = entry_levels(batch, ticker, side, plan, expected_return=expected_return)
        if take is None:
            notes.append("No take-profit: the expected move does not pay the round-trip costs.")
    if execution == Execution.ON_ITS_EDGE and not plan.worthwhile:
        return [proposal_store(batch, ticker, A.SKIP, side, quantity, plan, notes, crosses_spread=False)]
    if not (is_entry and protective_stop):
        return [
            proposal_store(
                batch, ticker, action, side, quantity, plan, notes, stop_loss=stop, take_profit=take
            )
        ]
    assert entry is not None and stop is not None
    protect = protective_plan(
        batch, ticker, side, quantity, entry=entry, stop=stop, expected_return=expected_return
    )
    notes.append(
        f"Its protective exit, a {protect.order_type.replace('_', '-')} at {stop:.2f}, is the next "
        "proposal: place it once this order fills."
    )
    order = proposal_store(
        batch, ticker, action, side, quantity, plan, notes, stop_loss=stop, take_profit=take
    )
    guard = proposal_store(
        batch,
        ticker,
        A.EXIT if side == costs.BUY else A.COVER,
        protect.side,
        quantity,
        protect,
        [
            *day_notes,
            f"Protective stop of proposal #{order.pk} ({order.get_side_display().lower()} "
            f"{quantity} {ticker}): place it once that order fills; accepting the entry "
            "does not place it.",
            *protect.reasons,
        ],
        crosses_spread=True,
        valid_until=batch.protect_until(ticker),
        cost_price=stop,
    )
    return [order, guard]

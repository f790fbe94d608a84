"""Order proposals: from the champion's predictions and a portfolio's holdings to precise orders.

- :mod:`portfolio.proposals.state` — what is known of each ticker on the day (close, volatility, exchange);
- :mod:`portfolio.proposals.batch` — one run's shared context and the order plan and levels of one order;
- :mod:`portfolio.proposals.store` — cost one order and store it as a proposal;
- :mod:`portfolio.proposals.propose` — the one path from a decided order to stored proposals;
- :mod:`portfolio.proposals.replacement` — which open proposals a new set replaces;
- :mod:`portfolio.proposals.engine` — :func:`generate`: the hold / trim / exit / cover / enter decisions.

The batch, the order path and the replacement rule are shared with the optimiser
(:mod:`portfolio.services.optimization`).
"""

from __future__ import annotations

from portfolio.proposals.batch import ProposalBatch, entry_levels, order_plan
from portfolio.proposals.engine import MAX_NEW_PER_SIDE, generate
from portfolio.proposals.propose import Execution, propose, share_change_orders
from portfolio.proposals.replacement import replace_open_proposals
from portfolio.proposals.state import VOL_WINDOW, Market, market_state
from portfolio.proposals.store import decimal_or_none, proposal_store

__all__ = [
    "MAX_NEW_PER_SIDE",
    "VOL_WINDOW",
    "Execution",
    "Market",
    "ProposalBatch",
    "decimal_or_none",
    "entry_levels",
    "generate",
    "market_state",
    "order_plan",
    "proposal_store",
    "propose",
    "replace_open_proposals",
    "share_change_orders",
]

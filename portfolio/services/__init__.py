"""Writes of the portfolio app, one module per entity; selectors (:mod:`portfolio.selectors`) do reads.

- :mod:`~portfolio.services.portfolios` — portfolios and their risk profile;
- :mod:`~portfolio.services.cost_profiles` — a user's own cost profiles;
- :mod:`~portfolio.services.trades` — recording a fill (validate → :mod:`portfolio.ledger` → store);
- :mod:`~portfolio.services.proposals` — deciding, filling and expiring order proposals;
- :mod:`~portfolio.services.optimization` — an optimisation run and its orders;
- :mod:`~portfolio.services.amounts` — user input as the columns that store it.

Every refusal raises a ``swingtrade.errors`` exception with the reason and writes nothing.
"""

from __future__ import annotations

from portfolio.services.amounts import MAX_SHARES
from portfolio.services.cost_profiles import (
    COST_PROFILE_FIELDS,
    cost_profile_create,
    cost_profile_delete,
    cost_profile_update,
)
from portfolio.services.portfolios import (
    PORTFOLIO_FIELDS,
    PROFILE_BOUNDS,
    default_cost_profile,
    portfolio_create,
    portfolio_update,
)
from portfolio.services.proposals import (
    order_proposals_create,
    proposal_decide,
    proposal_fill,
    proposals_expire,
)
from portfolio.services.trades import PRICE_BAND, trade_record

__all__ = [
    "COST_PROFILE_FIELDS",
    "MAX_SHARES",
    "PORTFOLIO_FIELDS",
    "PRICE_BAND",
    "PROFILE_BOUNDS",
    "cost_profile_create",
    "cost_profile_delete",
    "cost_profile_update",
    "default_cost_profile",
    "order_proposals_create",
    "portfolio_create",
    "portfolio_update",
    "proposal_decide",
    "proposal_fill",
    "proposals_expire",
    "trade_record",
]

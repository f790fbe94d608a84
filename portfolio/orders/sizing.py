"""Position size: whole shares such that a stop-out loses a set share of equity, within every cap. Pure."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from portfolio import costs


@dataclass(frozen=True)
class SizeLimits:
    equity: float
    cash: float
    risk_fraction: float
    max_weight: float
    max_gross: float
    current_gross: float  # money, all positions
    current_position: float  # money, signed, this ticker
    cash_margin: float = 0.0  # fraction of equity cash may go below zero


@dataclass(frozen=True)
class Size:
    quantity: int
    binding: str
    reason: str
    caps: dict[str, int]


def size_from_risk(
    *, limits: SizeLimits, side: str, entry: float, stop: float, cost_per_share: float = 0.0
) -> Size:
    """Whole shares such that hitting the stop loses ``risk_fraction`` of equity, within every cap.

    Caps: the position's weight, the portfolio's gross exposure and, for purchases, the cash (plus the
    allowed margin). A short does not use cash but counts toward gross exposure.
    """
    if entry <= 0 or limits.equity <= 0:
        return Size(0, "equity", "No equity to size a position from.", {})
    loss_per_share = abs(entry - stop) + cost_per_share
    caps: dict[str, float] = {
        "risk": limits.risk_fraction * limits.equity / loss_per_share if loss_per_share > 0 else 0.0,
        "weight": (limits.max_weight * limits.equity - abs(limits.current_position)) / entry,
        "gross": (limits.max_gross * limits.equity - limits.current_gross) / entry,
    }
    if side in costs.BUYING_SIDES:
        caps["cash"] = (limits.cash + limits.cash_margin * limits.equity) / (entry + cost_per_share)
    whole = {name: max(int(np.floor(value + 1e-9)), 0) for name, value in caps.items()}
    binding = min(whole, key=lambda name: whole[name])
    words = {
        "risk": f"the stop at {stop:.2f} risks {limits.risk_fraction:.1%} of equity",
        "weight": f"the position may weigh at most {limits.max_weight:.0%} of equity",
        "gross": f"gross exposure may reach at most {limits.max_gross:.0%} of equity",
        "cash": "the cash available (with the allowed margin) pays for no more",
    }
    return Size(whole[binding], binding, f"{whole[binding]} shares: {words[binding]}.", whole)

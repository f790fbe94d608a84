"""From target weights to whole-share trades that keep every constraint and the cash.

Greedy integer repair, in four steps (shares ``q``, current ``q0``, continuous target ``q* = w* E / p``):

1. *Start toward the holdings*: each ticker takes the whole share next to ``q*`` on the side of ``q0``
   (the trade rounded toward zero) — or the one nearer zero if that would break its position bound.
2. *Repair*: while a constraint is violated (gross, net, sector, turnover, cash), apply the one-share move
   (or return to ``q0``) that removes violation at the smallest loss of value per unit removed.
3. *Add back*: one-share moves, most valuable first (utility gain − cost), while every constraint still
   holds and the gain is positive — a coordinate ascent that ends where no single share is worth trading.
4. *Skip unprofitable trades*: a ticker whose whole trade costs more than the utility it adds over keeping
   the current holding is reverted (worst first, recomputed after each revert) when constraints allow.

Utility is the optimiser's ``μ'w − λ w'Σw − borrow'w⁻`` (``OptimizationResult.effective_mu`` and
``effective_risk_aversion``), in the same horizon units as the cost rates, so "benefit" and "cost" compare
like with like. Weights after the trade are measured on the equity left after paying the fees, so executing
a plan and re-running it does not find a position pushed over its limit by them. Whole shares cannot hit an
equality, so the lower net-exposure bound is checked with a
tolerance of one share of the most expensive ticker; every other constraint is exact.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from portfolio.optimize.inputs import CostRates, OptimizationProfile
from portfolio.risk import RiskModel
from swingtrade.errors import DomainError, Unprocessable

TOL = 1e-9
# The constraint violation of the current holdings (0 when feasible), and whether ticker i may hold q_i.
Violation = Callable[[], float]
Allowed = Callable[[int, float], bool]


@dataclass
class TradePlan:
    """Whole-share orders and the portfolio they lead to.

    ``trades`` is indexed by ticker with columns ``current_shares, target_shares, delta, price,
    trade_value, cost, continuous_weight, final_weight, benefit``; ``delta`` is the signed integer order
    (buy > 0, sell < 0); rows with ``delta == 0`` are kept so the caller sees what was left alone and why
    (``skipped`` maps ticker → reason for trades the optimiser wanted but rounding dropped).
    """

    trades: pd.DataFrame
    equity: float
    cash_before: float
    cash_after: float
    total_cost: float
    skipped: dict[str, str]

    @property
    def orders(self) -> pd.DataFrame:
        """Only the rows with a non-zero order."""
        return self.trades[self.trades["delta"] != 0]


class _State:
    """Holdings and the running sums every constraint needs, updated in O(N) per move."""

    def __init__(
        self,
        *,
        q: np.ndarray,
        q0: np.ndarray,
        prices: np.ndarray,
        equity: float,
        cash: float,
        sigma: np.ndarray,
        mu: np.ndarray,
        lam: float,
        buy: np.ndarray,
        sell: np.ndarray,
        borrow: np.ndarray,
        sector_matrix: np.ndarray,
    ) -> None:
        self.q, self.q0, self.p, self.E, self.cash0 = q.astype(float), q0, prices, equity, cash
        self.sigma, self.mu, self.lam = sigma, mu, lam
        self.buy, self.sell, self.borrow = buy, sell, borrow
        self.S = sector_matrix
        self.w = self.q * self.p / self.E
        self.g = sigma @ self.w  # Σw, for incremental utility changes

    def trade_cost(self, i: int, q_i: float) -> float:
        """Cost of moving ticker i from q0 to q_i, in weight of equity."""
        dw = (q_i - self.q0[i]) * self.p[i] / self.E
        return self.buy[i] * dw if dw > 0 else -self.sell[i] * dw

    def utility_delta(self, i: int, q_i: float) -> float:
        """Change in μ'w − λ w'Σw − borrow'w⁻ when ticker i moves to q_i (others fixed)."""
        old = self.w[i]
        new = q_i * self.p[i] / self.E
        d = new - old
        risk = 2 * d * self.g[i] + d * d * self.sigma[i, i]
        borrow = self.borrow[i] * (max(-new, 0.0) - max(-old, 0.0))
        return float(self.mu[i] * d - self.lam * risk - borrow)

    def step_values(self, step: float) -> np.ndarray:
        """Value (utility gain − extra cost, in weight) of moving every ticker by ``step`` shares."""
        old, new = self.w, self.w + step * self.p / self.E
        d = new - old
        utility = (
            self.mu * d
            - self.lam * (2 * d * self.g + d * d * np.diag(self.sigma))
            - self.borrow * (np.clip(-new, 0, None) - np.clip(-old, 0, None))
        )
        return utility - (self._costs_at(self.q + step) - self._costs_at(self.q)) / self.E

    def _costs_at(self, q: np.ndarray) -> np.ndarray:
        delta_value = (q - self.q0) * self.p
        return self.buy * np.clip(delta_value, 0, None) + self.sell * np.clip(-delta_value, 0, None)

    def move(self, i: int, q_i: float) -> None:
        d = q_i * self.p[i] / self.E - self.w[i]
        self.q[i] = q_i
        self.w[i] += d
        self.g += self.sigma[:, i] * d

    def costs(self) -> np.ndarray:
        """Cost of every ticker's trade, in currency."""
        return self._costs_at(self.q)

    def cash(self) -> float:
        return float(self.cash0 - ((self.q - self.q0) * self.p).sum() - self.costs().sum())


def weights_to_trades(
    target_weights: pd.Series,
    *,
    current_shares: pd.Series,
    prices: pd.Series,
    cash: float,
    profile: OptimizationProfile,
    costs: CostRates,
    risk: RiskModel,
    mu: pd.Series,
    risk_aversion: float,
    sectors: Mapping[str, str] | None = None,
    min_net_benefit: float = 1.0,
    target_cost: float = 0.0,
) -> TradePlan:
    """Whole-share orders from ``current_shares`` toward ``target_weights``.

    Parameters
    ----------
    target_weights : Series, index ticker
        Continuous optimum (``OptimizationResult.weights``); defines the universe.
    current_shares : Series, index ticker
        Shares held now (negative = short); missing tickers hold 0.
    prices : Series, index ticker
        Price per share used to size the orders (the traded close), > 0 for every ticker.
    cash : float
        Cash held now; equity = cash + Σ shares × price (short proceeds already in cash).
    profile, costs, sectors
        The same constraints and cost rates the optimiser used.
    risk, mu, risk_aversion
        The utility the optimiser maximised (``effective_mu``, ``effective_risk_aversion``).
    target_cost : float
        Trade costs the optimiser expected, as a fraction of equity (``transaction_costs``): target
        weights are fractions of the equity left after them, so ``q* = w* E (1 − target_cost) / p``.
    min_net_benefit : float
        Expected value, in currency and net of cost, a share or a trade must add to be worth doing.
        Utility differences of cents are far below the precision of μ and Σ; without this floor a
        portfolio sitting at its optimum could still be told to buy one more share for 0.4 cents.
    """
    tickers = [str(t) for t in target_weights.index]
    missing = [t for t in tickers if t not in prices.index or not prices[t] > 0]
    if missing:
        raise DomainError(f"No positive price for {', '.join(missing[:10])}.")
    p = prices.reindex(tickers).to_numpy(dtype=float)
    q0 = current_shares.reindex(tickers).fillna(0).to_numpy(dtype=float)
    if np.any(q0 != np.round(q0)):
        raise DomainError("Current holdings must be whole shares.")
    equity = float(cash + q0 @ p)
    if equity <= 0:
        raise Unprocessable("The portfolio has no positive equity to allocate.")
    w_star = target_weights.to_numpy(dtype=float)
    q_star = w_star * equity * (1.0 - target_cost) / p
    buy, sell, borrow = costs.vectors(tickers)
    sigma = risk.subset(tickers).covariance.to_numpy()
    labels = np.array([(sectors or {}).get(t) or "Unknown" for t in tickers])
    limited = [s for s in sorted(set(labels)) if profile.sector_limit_for(s) is not None]
    sector_matrix = np.array([(labels == s).astype(float) for s in limited]).reshape(
        len(limited), len(tickers)
    )
    sector_limits = np.array([profile.sector_limit_for(s) for s in limited], dtype=float)

    state = _State(
        q=_start(q_star, q0, p, equity, profile),
        q0=q0,
        prices=p,
        equity=equity,
        cash=cash,
        sigma=sigma,
        mu=mu.reindex(tickers).fillna(0.0).to_numpy(dtype=float),
        lam=float(risk_aversion),
        buy=buy,
        sell=sell,
        borrow=borrow,
        sector_matrix=sector_matrix,
    )
    net_slack = float(p.max() / equity)  # one share of the dearest ticker: an equality needs this room

    def violation() -> float:
        w = state.w * equity / (equity - state.costs().sum())  # weights on the equity left after fees
        excess = [
            np.abs(w) - profile.max_weight,
            [np.abs(w).sum() - profile.gross_max],
            [w.sum() - profile.net_max, profile.net_min - net_slack - w.sum()],
            [np.abs(w - q0 * p / equity).sum() - (profile.turnover_max or np.inf)],
            [-state.cash() / equity],
        ]
        if len(sector_limits):
            exposure = sector_matrix @ w
            excess += [exposure - sector_limits, -exposure - sector_limits]
        if profile.long_only:
            excess.append(-w)
        return float(sum(np.clip(np.asarray(e, dtype=float), 0, None).sum() for e in excess))

    def allowed(i: int, q_i: float) -> bool:
        # A move must respect the ticker's own bounds: trading one constraint for another would let the
        # greedy stall in a state that breaks a position limit by a fraction of a share.
        return abs(q_i * p[i] / equity) <= profile.max_weight + TOL and (q_i >= 0 or not profile.long_only)

    _repair(state, violation, allowed)
    started = state.q.copy()
    # Step 3 stays between the holding and the whole share nearest the target: it rounds the optimiser's
    # answer, it does not re-optimise (and a holding already nearest its target is left alone).
    nearest = np.round(q_star)
    low, high = np.minimum(q0, nearest), np.maximum(q0, nearest)
    threshold = max(float(min_net_benefit), 0.0) / equity
    _add_back(state, violation, lambda i, q_i: low[i] <= q_i <= high[i] and allowed(i, q_i), threshold)
    skipped = {tickers[i]: reason for i, reason in _skip_unprofitable(state, violation, threshold).items()}
    if violation() > TOL:
        raise Unprocessable(
            "Cannot round the target to whole shares within the constraints (prices too large for the "
            "equity and limits); relax the position or exposure limits or add cash."
        )

    delta = (state.q - q0).astype(int)
    cost = state.costs()
    benefit = np.array(
        [-_revert_gain(state, i) if delta[i] else 0.0 for i in range(len(tickers))]
    )  # utility the trade adds
    for i in np.flatnonzero((delta == 0) & (np.abs(q_star - q0) >= 1)):
        # Step 1 kept at least one share of this trade; only value (steps 3-4) or constraints removed it.
        reason = "cost exceeds expected benefit" if started[i] != q0[i] else "needed to keep the constraints"
        skipped.setdefault(tickers[i], reason)
    frame = pd.DataFrame(
        {
            "current_shares": q0.astype(int),
            "target_shares": state.q.astype(int),
            "delta": delta,
            "price": p,
            "trade_value": delta * p,
            "cost": cost,
            "continuous_weight": w_star,
            "final_weight": state.w * equity / (equity - cost.sum()),
            "benefit": benefit * equity,
        },
        index=pd.Index(tickers, name="ticker"),
    )
    return TradePlan(
        trades=frame,
        equity=equity,
        cash_before=float(cash),
        cash_after=state.cash(),
        total_cost=float(cost.sum()),
        skipped=skipped,
    )


def _start(
    q_star: np.ndarray, q0: np.ndarray, p: np.ndarray, equity: float, profile: OptimizationProfile
) -> np.ndarray:
    """Each trade rounded toward the current holding, unless that breaks the position bound."""
    toward = q0 + np.trunc(q_star - q0 + np.sign(q_star - q0) * 1e-9)
    zero_side = np.trunc(q_star + np.sign(q_star) * 1e-9)
    too_big = np.abs(toward * p / equity) > profile.max_weight + TOL
    start = np.where(too_big, zero_side, toward)
    if profile.long_only:
        start = np.maximum(start, 0.0)
    return start


def _repair(state: _State, violation: Violation, allowed: Allowed) -> None:
    """Remove constraint violations at the least loss of value per unit of violation removed."""
    current = violation()
    for _ in range(10 * len(state.q) + 10):
        if current <= TOL:
            return
        best = None
        values = {step: state.step_values(step) for step in (1.0, -1.0)}
        for i in range(len(state.q)):
            old = state.q[i]
            for target in {old + 1, old - 1, state.q0[i]} - {old}:
                if not allowed(i, target):
                    continue
                state.move(i, target)
                reduced = current - violation()
                state.move(i, old)
                if reduced <= TOL:
                    continue
                step = target - old
                loss = -(values[step][i] if abs(step) == 1 else _move_value(state, i, target))
                price = max(loss, 0.0) / reduced
                if best is None or price < best[0]:
                    best = (price, i, target)
        if best is None:
            return  # no single move helps; the caller raises
        state.move(best[1], best[2])
        current = violation()


def _move_value(state: _State, i: int, target: float) -> float:
    return state.utility_delta(i, target) - (state.trade_cost(i, target) - state.trade_cost(i, state.q[i]))


def _add_back(state: _State, violation: Violation, allowed: Allowed, threshold: float) -> None:
    """Coordinate ascent over one-share moves, best first, while feasible and worth more than it costs."""
    blocked: set[tuple[int, float]] = set()
    for _ in range(20 * len(state.q) + 10):
        candidates = []
        for step in (1.0, -1.0):
            values = state.step_values(step)
            for i in np.flatnonzero(values > threshold).tolist():
                if (i, state.q[i] + step) not in blocked and allowed(i, state.q[i] + step):
                    candidates.append((values[i], i, step))
        if not candidates:
            return
        for _, i, step in sorted(candidates, reverse=True):
            old = state.q[i]
            state.move(i, old + step)
            if violation() <= TOL:
                blocked.clear()  # the portfolio changed: earlier refusals may now fit
                break
            state.move(i, old)
            blocked.add((i, old + step))
        else:
            return


def _revert_gain(state: _State, i: int) -> float:
    """Utility gained (negative = lost) by reverting ticker i to its current holding, costs included."""
    return state.utility_delta(i, state.q0[i]) + state.trade_cost(i, state.q[i])


def _skip_unprofitable(state: _State, violation: Violation, threshold: float) -> dict[int, str]:
    skipped: dict[int, str] = {}
    refused: set[int] = set()
    while True:
        candidates = [
            (_revert_gain(state, i), i)
            for i in np.flatnonzero(state.q != state.q0).tolist()
            if i not in refused and _revert_gain(state, i) > -threshold
        ]
        if not candidates:
            return skipped
        _, i = max(candidates)
        old = state.q[i]
        state.move(i, state.q0[i])
        if violation() > TOL:
            state.move(i, old)  # the trade is needed to keep a constraint: keep it
            refused.add(i)
        else:
            skipped[i] = "cost exceeds expected benefit"

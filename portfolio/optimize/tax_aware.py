"""Long-only minimum variance (plus an optional tilt) that trades only when the move pays its costs and taxes.

Pure cvxpy on arrays, no ORM. All weights are fractions of equity before the trade; the risk model is the
covariance over the period the risk is valued on (a year for the default advice).

    maximise   (tilt'w − λ w'Σw) / κ − buy'b − sell's − τ [pos(base + g's) − pos(base)]
    subject to w = w0 + b − s,  b, s ≥ 0,  w ≥ 0,  w ≤ max_weight,  sector sums ≤ max_sector,
               Σw + buy'b + sell's = invested  (fees come out of the cash; no borrowing)

``g`` is the taxable gain per unit of weight sold ((price − PMP) / price, net of nothing else), ``τ`` the
flat tax and ``base`` the year's net realised result less the usable carried losses (per unit of equity):
``τ pos(base + g's) − τ pos(base)`` is exactly the change of the year's bill (:func:`portfolio.tax.rules.
sale_tax`). Selling a winner costs tax now, so the optimiser defers it unless the risk it removes is worth
it; selling a loser gives back tax on the year's gains, so among useful trades it prefers realising losses.

``κ ≥ 1`` (``cost_aversion``) counts the estimated benefit of a move (risk removed, tilt) at 1/κ of its
value against fees and tax counted in full: a move must be worth κ times what it costs. The risk removed is
measured with a covariance estimated on the same noisy year of returns that chose the move and re-estimated
every rebalance, so its estimate overstates what the move delivers (the optimiser's curse); κ widens the
no-trade band accordingly. κ = 1 is the plain trade-off.

A loser's credit is concave in the weight (a credit only on what is actually sold), so it is priced in a
second solve: the first (credits ignored) tells which losing lines are held or reduced; the second gives
those lines their credit on ``w0 − w`` with ``w ≤ w0``. Lines the first solve increased get no credit.
Round trips (sell a loser and buy it back the same day to harvest the loss) are thereby impossible.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass

import cvxpy as cp
import numpy as np
import pandas as pd

from portfolio.optimize.formulation import solve
from portfolio.risk import RiskModel
from swingtrade.errors import DomainError, Unprocessable


@dataclass(frozen=True)
class TaxAwareInputs:
    """Everything the problem needs, aligned on ``tickers``.

    Attributes
    ----------
    tickers : list[str]
    current : ndarray (N,)  current weights of equity (long only, ≥ 0)
    tilt : ndarray (N,)  expected return used as a tilt, already scaled by the model's reliability (0: none)
    buy_rate, sell_rate : ndarray (N,)  cost per unit of weight bought / sold (fees, spread, FTT)
    gain_fraction : ndarray (N,)  taxable gain per unit of weight sold ((price − PMP) / price; < 0: loss)
    tax_rate : float  flat tax on the year's net gain
    tax_base : float  year's net realised result minus usable carried losses, per unit of equity
    max_weight, max_sector : float  caps of the risk profile
    sectors : list[str] (N,)  sector of each ticker
    invested : float  fraction of equity to hold in shares after fees (1: fully invested)
    risk_aversion : float  λ
    cost_aversion : float  κ ≥ 1, how many times its fees and tax a move's estimated benefit must be worth
    """

    tickers: list[str]
    current: np.ndarray
    tilt: np.ndarray
    buy_rate: np.ndarray
    sell_rate: np.ndarray
    gain_fraction: np.ndarray
    tax_rate: float
    tax_base: float
    max_weight: float
    max_sector: float
    sectors: list[str]
    invested: float
    risk_aversion: float
    cost_aversion: float = 1.0


@dataclass(frozen=True)
class TaxAwareResult:
    weights: pd.Series
    bought: pd.Series
    sold: pd.Series
    fees: float  # fraction of equity
    tax: float  # change of the year's bill, fraction of equity
    variance_before: float
    variance_after: float
    status: str


def tax_aware_weights(inputs: TaxAwareInputs, risk: RiskModel) -> TaxAwareResult:
    """Target weights after the trades that pay; raises ``Unprocessable`` unless the solver is optimal."""
    _check(inputs)
    model = risk.subset(inputs.tickers).reduced()
    losers = inputs.gain_fraction < 0
    first = _solve(inputs, model, credited=np.zeros(len(inputs.tickers), dtype=bool))
    w_first = first[0]
    credited = losers & (w_first <= inputs.current + 1e-9)
    if credited.any() and inputs.tax_rate > 0:
        w, bought, sold, status = _solve(inputs, model, credited=credited)
    else:
        w, bought, sold, status = first
    fees = float(inputs.buy_rate @ bought + inputs.sell_rate @ sold)
    realised = float(inputs.gain_fraction @ sold)
    tax = inputs.tax_rate * (max(inputs.tax_base + realised, 0.0) - max(inputs.tax_base, 0.0))
    index = pd.Index(inputs.tickers, name="ticker")
    return TaxAwareResult(
        weights=pd.Series(w, index=index),
        bought=pd.Series(bought, index=index),
        sold=pd.Series(sold, index=index),
        fees=fees,
        tax=tax,
        variance_before=_variance(model, inputs.current),
        variance_after=_variance(model, w),
        status=status,
    )


class _Compiled:
    """One parametrised problem (cvxpy DPP) for a shape: built and compiled once, re-solved with new data.

    Every number of the problem is a Parameter, so a rebalance with the same number of tickers, factor
    rows and sectors only refills arrays: cvxpy maps parameters to the solver's matrices without
    re-canonicalising (``get_problem_data`` becomes a sparse product). Products of two data arrays are
    folded into one parameter (``sqrt(λ/κ/scale)·F``, ``τ·g/scale``) because DPP forbids a parameter
    times a parameter-dependent expression.

    The loss credit of the second solve is the same problem: credited lines may not be bought
    (``credited ⊙ b = 0``, so ``w0 − w = s``) and their sale counts its (negative) gain, others only a
    positive one. Buying and selling a line together would only add fees, so this is the programme
    ``w ≤ w0`` on credited lines states.
    """

    def __init__(self, n: int, rows: int, sectors: int) -> None:
        def vector(name: str, **kw: bool) -> cp.Parameter:
            return cp.Parameter(n, name=name, **kw)

        self.w0 = vector("current", nonneg=True)
        self.tilt = vector("tilt")  # tilt / (κ scale)
        self.buy = vector("buy_rate", nonneg=True)
        self.sell = vector("sell_rate", nonneg=True)
        self.buy_obj = vector("buy_rate_scaled", nonneg=True)
        self.sell_obj = vector("sell_rate_scaled", nonneg=True)
        self.gain = vector("taxed_gain_scaled")  # τ g / scale on what is sold
        self.credited = vector("credited", nonneg=True)
        self.factor = cp.Parameter((rows, n), name="risk_factor")  # sqrt(λ / (κ scale)) F
        self.diagonal = vector("risk_diagonal", nonneg=True)  # sqrt(λ d / (κ scale))
        self.base = cp.Parameter(name="tax_base_scaled")  # τ base / scale
        self.max_weight = cp.Parameter(nonneg=True, name="max_weight")
        self.member = cp.Parameter((sectors, n), nonneg=True, name="sector_member")
        self.max_sector = cp.Parameter(nonneg=True, name="max_sector")
        self.invested = cp.Parameter(nonneg=True, name="invested")
        self.w = cp.Variable(n, nonneg=True)
        self.bought = cp.Variable(n, nonneg=True)
        self.sold = cp.Variable(n, nonneg=True)
        w, bought, sold = self.w, self.bought, self.sold
        constraints = [
            w == self.w0 + bought - sold,
            sold <= self.w0,
            w <= self.max_weight,
            cp.sum(w) + self.buy @ bought + self.sell @ sold == self.invested,
            self.member @ w <= self.max_sector,
            cp.multiply(self.credited, bought) == 0,
        ]
        utility = (
            self.tilt @ w
            - cp.sum_squares(self.factor @ w)
            - cp.sum_squares(cp.multiply(self.diagonal, w))
            - self.buy_obj @ bought
            - self.sell_obj @ sold
            - cp.pos(self.base + self.gain @ sold)
        )
        self.problem = cp.Problem(cp.Maximize(utility), constraints)

    def solve(
        self, inputs: TaxAwareInputs, model: RiskModel, gain: np.ndarray, credited: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, str]:
        scale = float(np.mean(np.sum(model.factor**2, axis=0) + model.diagonal)) or 1.0
        benefit = 1.0 / (inputs.cost_aversion * scale)  # the risk and tilt terms' weight
        self.w0.value = np.clip(inputs.current, 0.0, None)
        self.tilt.value = inputs.tilt * benefit
        self.buy.value, self.sell.value = inputs.buy_rate, inputs.sell_rate
        self.buy_obj.value, self.sell_obj.value = inputs.buy_rate / scale, inputs.sell_rate / scale
        self.gain.value = inputs.tax_rate * gain / scale
        self.credited.value = credited.astype(float)
        self.factor.value = np.sqrt(inputs.risk_aversion * benefit) * model.factor
        self.diagonal.value = np.sqrt(inputs.risk_aversion * benefit * model.diagonal)
        self.base.value = inputs.tax_rate * inputs.tax_base / scale
        self.max_weight.value = inputs.max_weight
        self.member.value = _membership(inputs.sectors)
        self.max_sector.value = inputs.max_sector
        self.invested.value = inputs.invested
        solve(self.problem)
        status = str(self.problem.status)
        if self.problem.status != cp.OPTIMAL:
            return np.array([]), np.array([]), np.array([]), status
        clean = [
            np.clip(np.asarray(v.value, dtype=float).ravel(), 0.0, None)
            for v in (self.w, self.bought, self.sold)
        ]
        for array in clean:
            array[array < 1e-9] = 0.0
        return clean[0], clean[1], clean[2], status


# One compiled problem per shape (tickers, factor rows, sectors): a replay or a day of advice on the same
# universe compiles once. A few shapes are kept: the universe changes rarely (listings, delistings).
_COMPILED: OrderedDict[tuple[int, int, int], _Compiled] = OrderedDict()
_COMPILED_KEPT = 4


def _compiled(n: int, rows: int, sectors: int) -> _Compiled:
    key = (n, rows, sectors)
    if key in _COMPILED:
        _COMPILED.move_to_end(key)
        return _COMPILED[key]
    built = _Compiled(n, rows, sectors)
    _COMPILED[key] = built
    while len(_COMPILED) > _COMPILED_KEPT:
        _COMPILED.popitem(last=False)
    return built


def _membership(sectors: list[str]) -> np.ndarray:
    names = sorted(set(sectors))
    return np.array([[s == name for s in sectors] for name in names], dtype=float)


def _solve(
    inputs: TaxAwareInputs, model: RiskModel, *, credited: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, str]:
    n = len(inputs.tickers)
    gain = np.where(credited, inputs.gain_fraction, np.clip(inputs.gain_fraction, 0.0, None))
    compiled = _compiled(n, model.factor.shape[0], len(set(inputs.sectors)))
    w, bought, sold, status = compiled.solve(inputs, model, gain, credited)
    if status != cp.OPTIMAL:
        raise Unprocessable(
            f"The advice has no solution ({status}): the position cap {inputs.max_weight:.0%} and "
            f"sector cap {inputs.max_sector:.0%} cannot hold {inputs.invested:.0%} of equity in "
            f"{n} tickers. Raise a cap or widen the universe.",
            details={"status": status},
        )
    return w, bought, sold, status


def _variance(model: RiskModel, w: np.ndarray) -> float:
    return float(np.sum((model.factor @ w) ** 2) + model.diagonal @ w**2)


def _check(inputs: TaxAwareInputs) -> None:
    n = len(inputs.tickers)
    if n == 0:
        raise DomainError("No tickers to advise on.")
    arrays: Mapping[str, np.ndarray] = {
        "current": inputs.current,
        "tilt": inputs.tilt,
        "buy_rate": inputs.buy_rate,
        "sell_rate": inputs.sell_rate,
        "gain_fraction": inputs.gain_fraction,
    }
    for name, array in arrays.items():
        if np.shape(array) != (n,) or not np.all(np.isfinite(array)):
            raise DomainError(f"{name} must hold one finite number per ticker.")
    if np.any(inputs.current < -1e-12):
        raise DomainError("The default advice is long-only: current weights must be ≥ 0.")
    if len(inputs.sectors) != n:
        raise DomainError("sectors must name one sector per ticker.")
    if not 0 < inputs.max_weight <= 1 or not 0 < inputs.max_sector <= 1:
        raise DomainError("Position and sector caps are fractions in (0, 1].")
    if not inputs.cost_aversion >= 1:
        raise DomainError("The cost aversion is a multiple ≥ 1 of a move's fees and tax.")

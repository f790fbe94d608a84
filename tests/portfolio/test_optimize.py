"""The pure optimiser, covariance and whole-share rounding on the embedded 50-ticker sample (no database)."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.covariance import LedoitWolf

from portfolio.optimize import (
    CostRates,
    OptimizationProfile,
    efficient_frontier,
    optimize_weights,
    portfolio_variance,
    shrink_expected_returns,
    weights_to_trades,
)
from portfolio.optimize.formulation import problem_arrays
from portfolio.risk import daily_returns, estimate_risk_model
from swingtrade.errors import DomainError, Unprocessable

DATA = Path(__file__).resolve().parents[2] / "market" / "data"
TOL = 1e-7


@pytest.fixture(scope="module")
def sample() -> pd.DataFrame:
    return pd.read_csv(DATA / "sp500_sample50_daily_2016_2021.csv.gz", parse_dates=["date"])


@pytest.fixture(scope="module")
def prices(sample) -> pd.DataFrame:
    return sample.pivot(index="date", columns="ticker", values="adj_close")


@pytest.fixture(scope="module")
def closes(sample) -> pd.Series:
    return sample.pivot(index="date", columns="ticker", values="close").iloc[-1]


@pytest.fixture(scope="module")
def sectors() -> dict[str, str]:
    frame = pd.read_csv(DATA / "sp500_constituents_2021.csv")
    return dict(zip(frame["ticker"], frame["sector"], strict=True))


@pytest.fixture(scope="module")
def risk(prices):
    return estimate_risk_model(prices, window=252, horizon_days=5)


@pytest.fixture(scope="module")
def mu(risk) -> pd.Series:
    rng = np.random.default_rng(7)
    return pd.Series(rng.normal(0.0, 0.01, len(risk.tickers)), index=risk.tickers)


def assert_within_profile(result, profile, sectors, costs: CostRates, slack=TOL):
    """Every limit on the weights after fees; turnover and cash on the equity before the trade."""
    w, w0 = result.weights, result.current_weights
    assert (w.abs() <= profile.max_weight + slack).all()
    assert w.abs().sum() <= profile.gross_max + slack
    assert profile.net_min - slack <= w.sum() <= profile.net_max + slack
    if profile.long_only:
        assert (w >= -slack).all()
    if profile.sector_limit is not None:
        exposure = w.groupby(pd.Series({t: sectors.get(t, "Unknown") for t in w.index})).sum()
        assert (exposure.abs() <= profile.sector_limit + slack).all()
    before = w * (1 - result.transaction_costs)
    trade = (before - w0).to_numpy()
    if profile.turnover_max is not None:
        assert np.abs(trade).sum() <= profile.turnover_max + slack
    buy, sell, _ = costs.vectors(list(w.index))
    paid = buy @ np.clip(trade, 0, None) + sell @ np.clip(-trade, 0, None)
    assert paid == pytest.approx(result.transaction_costs, abs=1e-9)
    assert before.sum() + paid <= 1 + slack  # cash ≥ 0


# -- covariance ---------------------------------------------------------------------------------------


def test_risk_model_is_sklearn_ledoit_wolf_scaled_to_the_horizon(prices):
    model = estimate_risk_model(prices, window=200, horizon_days=5)
    returns = daily_returns(prices).iloc[1:].tail(200)
    expected = LedoitWolf().fit(returns.to_numpy()).covariance_ * 5
    np.testing.assert_allclose(model.covariance.to_numpy(), expected, rtol=1e-10, atol=1e-15)
    assert 0 < model.shrinkage < 1


def test_oas_estimator_is_sklearns_oas(prices):
    from sklearn.covariance import OAS

    oas = estimate_risk_model(prices, window=120, horizon_days=1, estimator="oas")
    returns = daily_returns(prices).iloc[1:].tail(120)
    np.testing.assert_allclose(
        oas.covariance.to_numpy(), OAS().fit(returns.to_numpy()).covariance_, rtol=1e-10
    )
    lw = estimate_risk_model(prices, window=120, estimator="ledoit_wolf")
    assert lw.shrinkage != pytest.approx(oas.shrinkage)


def test_short_history_tickers_are_excluded_and_gappy_ones_keep_their_variance(prices):
    gappy = prices.copy()
    gappy.iloc[-100:, 0] = np.nan  # 100 of 252 days missing → below 80 % coverage
    gappy.iloc[-20:, 1] = np.nan  # 20 missing → kept, variance rescaled
    model = estimate_risk_model(gappy, window=252, horizon_days=1)
    assert model.excluded == [prices.columns[0]]
    full = estimate_risk_model(prices, window=252, horizon_days=1)
    second = prices.columns[1]
    assert model.covariance.loc[second, second] == pytest.approx(
        full.covariance.loc[second, second], rel=0.25
    )
    assert np.linalg.eigvalsh(model.covariance.to_numpy()).min() > 0


def test_unknown_estimator_is_a_bad_request(prices):
    with pytest.raises(DomainError):
        estimate_risk_model(prices, estimator="sample")


# -- optimiser ----------------------------------------------------------------------------------------


def test_long_only_min_variance_equals_skfolio_mean_risk(prices):
    from skfolio.moments import LedoitWolf as SkLedoitWolf
    from skfolio.optimization import MeanRisk
    from skfolio.prior import EmpiricalPrior

    returns = daily_returns(prices).iloc[1:].tail(252)
    model = estimate_risk_model(prices, window=252, horizon_days=1)
    ours = optimize_weights(
        pd.Series(0.0, index=model.tickers),
        model,
        profile=OptimizationProfile(max_weight=1.0, net_min=1.0, net_max=1.0),
        objective="min_variance",
    )
    # skfolio's LedoitWolf is sklearn's, fitted on the same window; its solver is tightened so the
    # comparison measures the formulations, not CLARABEL's default stopping tolerance.
    tight = {"tol_gap_abs": 1e-12, "tol_gap_rel": 1e-12, "tol_feas": 1e-12}
    reference = MeanRisk(
        prior_estimator=EmpiricalPrior(covariance_estimator=SkLedoitWolf()), solver_params=tight
    ).fit(returns)
    np.testing.assert_allclose(
        reference.prior_estimator_.return_distribution_.covariance, model.covariance.to_numpy(), rtol=1e-9
    )
    theirs = pd.Series(reference.weights_, index=returns.columns)
    assert (ours.weights - theirs.reindex(ours.weights.index)).abs().max() < 1e-4
    assert (ours.weights > 1e-4).sum() >= 5  # a real, diversified answer, not a corner


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("objective", ["mean_variance", "min_variance", "max_sharpe"])
def test_constraints_hold_in_every_returned_solution(seed, objective, risk, mu, sectors):
    rng = np.random.default_rng(seed)
    long_only = bool(seed % 2)
    tickers = risk.tickers
    w0 = pd.Series(rng.dirichlet(np.ones(len(tickers))) * rng.uniform(0.5, 0.95), index=tickers)
    max_weight = float(max(w0.max(), rng.uniform(0.05, 0.2)))
    exposure = w0.groupby(pd.Series({t: sectors[t] for t in tickers})).sum()
    profile = OptimizationProfile(
        max_weight=max_weight,
        gross_max=1.0 if long_only else float(rng.uniform(1.2, 2.0)),
        net_min=float(rng.uniform(0.0, 0.5)),
        net_max=1.0,
        long_only=long_only,
        sector_limit=float(max(exposure.max(), rng.uniform(0.1, 0.4))),
        turnover_max=float(rng.uniform(0.2, 1.5)),
        risk_aversion=float(rng.uniform(1, 20)),
    )
    costs = CostRates(
        buy=pd.Series(rng.uniform(0, 0.004, len(tickers)), index=tickers),
        sell=pd.Series(rng.uniform(0, 0.003, len(tickers)), index=tickers),
        borrow=0.001,
    )
    result = optimize_weights(
        mu.abs() if objective == "max_sharpe" else mu, risk, w0, profile, costs, sectors, objective=objective
    )
    assert result.status == "optimal"
    assert_within_profile(result, profile, sectors, costs)
    assert result.volatility == pytest.approx(np.sqrt(portfolio_variance(risk, result.weights)))
    assert result.turnover == pytest.approx(
        (result.weights * (1 - result.transaction_costs) - w0).abs().sum()
    )


def test_infeasible_constraints_give_a_422_naming_the_conflict(risk, mu):
    profile = OptimizationProfile(max_weight=0.01, net_min=0.9)  # 50 × 1 % cannot reach 90 %
    with pytest.raises(Unprocessable) as caught:
        optimize_weights(mu, risk, profile=profile)
    assert caught.value.status_code == 422
    assert "position bounds" in caught.value.message
    assert "net exposure" in caught.value.message
    assert set(caught.value.details["binding"]) == {"position bounds", "net exposure"}


def test_turnover_that_cannot_reach_the_bounds_is_named(risk, mu):
    w0 = pd.Series(0.0, index=risk.tickers)
    profile = OptimizationProfile(net_min=0.8, turnover_max=0.3)
    with pytest.raises(Unprocessable, match="turnover"):
        optimize_weights(mu, risk, w0, profile)


def test_max_sharpe_without_any_profitable_portfolio_says_so(risk, mu):
    with pytest.raises(Unprocessable, match="positive expected return"):
        optimize_weights(-mu.abs(), risk, objective="max_sharpe")


def test_max_sharpe_beats_every_point_of_the_frontier(risk, mu):
    profile = OptimizationProfile(max_weight=0.2, net_min=1.0, net_max=1.0)
    best = optimize_weights(mu, risk, profile=profile, objective="max_sharpe")
    frontier = efficient_frontier(mu, risk, profile=profile, points=15)
    assert len(frontier) == 15
    assert all(best.sharpe >= p.expected_return / p.volatility - 1e-6 for p in frontier)


def test_frontier_trades_risk_for_return(risk, mu):
    result = optimize_weights(mu, risk, profile=OptimizationProfile(max_weight=0.2), frontier_points=8)
    vols = [p.volatility for p in result.frontier]
    rets = [p.expected_return for p in result.frontier]
    assert vols == sorted(vols)
    assert all(b >= a - 1e-8 for a, b in itertools.pairwise(rets))
    assert rets[-1] > rets[0]


def test_a_frontier_traced_on_factors_keeps_the_exact_optimum_and_reports_exact_volatility(risk, mu):
    profile = OptimizationProfile(max_weight=0.2)
    exact = optimize_weights(mu, risk, profile=profile, frontier_points=6)
    traced = optimize_weights(mu, risk, profile=profile, frontier_points=6, frontier_factors=10)
    pd.testing.assert_series_equal(traced.weights, exact.weights)
    assert len(traced.frontier) == len(exact.frontier) == 6
    for approx, full in zip(traced.frontier, exact.frontier, strict=True):
        # 10 of 50 factors: the same risk/return curve within a small fraction of each point's volatility
        assert approx.volatility == pytest.approx(full.volatility, rel=0.05)
        assert approx.expected_return == pytest.approx(full.expected_return, rel=0.05, abs=1e-5)


def test_higher_costs_produce_less_turnover(risk, mu):
    w0 = pd.Series(1.0 / len(risk.tickers), index=risk.tickers)
    profile = OptimizationProfile(max_weight=0.15, net_min=0.9, risk_aversion=10.0)
    turnovers = [
        optimize_weights(mu, risk, w0, profile, CostRates(buy=rate, sell=rate)).turnover
        for rate in (0.0, 0.001, 0.005, 0.02)
    ]
    assert all(b <= a + 1e-6 for a, b in itertools.pairwise(turnovers))
    assert turnovers[-1] < 0.5 * turnovers[0]


def test_long_short_uses_borrow_cost(risk, mu):
    profile = OptimizationProfile(long_only=False, gross_max=1.6, max_weight=0.1)
    cheap = optimize_weights(mu, risk, profile=profile, costs=CostRates(borrow=0.0))
    dear = optimize_weights(mu, risk, profile=profile, costs=CostRates(borrow=0.02))
    assert (cheap.weights < 0).any()
    assert dear.weights.clip(upper=0).abs().sum() < cheap.weights.clip(upper=0).abs().sum()
    assert dear.borrow_cost == pytest.approx(0.02 * dear.weights.clip(upper=0).abs().sum())


def test_bad_inputs_are_bad_requests(risk, mu):
    with pytest.raises(DomainError):
        optimize_weights(mu, risk, objective="max_return")
    with pytest.raises(DomainError):
        optimize_weights(mu, risk, pd.Series({"NOPE": 0.1}))
    with pytest.raises(DomainError):
        OptimizationProfile(net_min=0.9, net_max=0.5)
    with pytest.raises(DomainError, match="leverage"):
        OptimizationProfile().with_overrides({"leverage": 2})


def test_expected_returns_shrink_toward_zero_by_reliability():
    raw = pd.Series({"A": 0.02, "B": -0.01, "C": np.nan})
    shrunk = shrink_expected_returns(raw, 0.25)
    assert shrunk.to_dict() == {"A": 0.005, "B": -0.0025, "C": 0.0}
    with pytest.raises(DomainError):
        shrink_expected_returns(raw, 1.5)


# -- whole shares -------------------------------------------------------------------------------------


def _plan(result, profile, costs, risk, closes, sectors, shares=None, cash=100_000.0):
    return weights_to_trades(
        result.weights,
        current_shares=shares if shares is not None else pd.Series(dtype=float),
        prices=closes,
        cash=cash,
        profile=profile,
        costs=costs,
        risk=risk,
        mu=result.effective_mu,
        risk_aversion=result.effective_risk_aversion,
        sectors=sectors,
        target_cost=result.transaction_costs,
    )


@pytest.mark.parametrize("seed", range(4))
def test_whole_share_orders_keep_every_constraint_and_the_cash(seed, risk, mu, closes, sectors):
    rng = np.random.default_rng(100 + seed)
    long_only = seed % 2 == 0
    profile = OptimizationProfile(
        max_weight=float(rng.uniform(0.05, 0.15)),
        gross_max=1.0 if long_only else 1.5,
        net_min=0.5,
        long_only=long_only,
        sector_limit=0.3,
        risk_aversion=float(rng.uniform(2, 10)),
    )
    costs = CostRates(buy=0.0015, sell=0.001, borrow=0.002)
    cash = float(rng.uniform(30_000, 300_000))
    result = optimize_weights(mu, risk, profile=profile, costs=costs, sectors=sectors)
    plan = _plan(result, profile, costs, risk, closes, sectors, cash=cash)
    final = plan.trades["final_weight"]
    assert (plan.trades["delta"] == plan.trades["delta"].round()).all()
    assert plan.cash_after >= 0
    assert (final.abs() <= profile.max_weight + 1e-12).all()
    assert final.abs().sum() <= profile.gross_max + 1e-12
    assert final.sum() <= profile.net_max + 1e-12
    exposure = final.groupby(pd.Series({t: sectors[t] for t in final.index})).sum()
    assert (exposure.abs() <= 0.3 + 1e-12).all()
    # Whole shares stay close to the continuous optimum: no position moves by more than the largest
    # indivisible unit (one share of the dearest ticker), the room the greedy needs to trade one off.
    biggest_share = float((closes.reindex(final.index) / plan.equity).max())
    assert ((final - result.weights).abs() <= biggest_share + 1e-9).all()
    assert plan.cash_after == pytest.approx(cash - plan.trades["trade_value"].sum() - plan.total_cost)


@pytest.mark.parametrize("long_only", [True, False])
def test_a_portfolio_at_its_optimum_produces_no_trades(long_only, risk, mu, closes, sectors):
    profile = OptimizationProfile(
        max_weight=0.12, net_min=0.5, long_only=long_only, gross_max=1.0 if long_only else 1.5
    )
    costs = CostRates(buy=0.002, sell=0.002, borrow=0.001)
    first = optimize_weights(mu, risk, profile=profile, costs=costs, sectors=sectors)
    bought = _plan(first, profile, costs, risk, closes, sectors, cash=250_000.0)
    assert len(bought.orders) >= 4
    # Execute the proposal, then ask again from the holdings it produced.
    shares, cash = bought.trades["target_shares"], bought.cash_after
    held = shares * closes.reindex(shares.index) / (cash + shares @ closes.reindex(shares.index))
    again = optimize_weights(mu, risk, held, profile, costs, sectors)
    plan = _plan(again, profile, costs, risk, closes, sectors, shares=shares, cash=cash)
    assert plan.orders.empty
    assert plan.cash_after == pytest.approx(cash)


def test_targets_equal_to_the_holdings_produce_no_trades(risk, closes, sectors):
    shares = pd.Series({t: 10.0 for t in risk.tickers[:10]})
    cash = 5_000.0
    equity = cash + float(shares @ closes.reindex(shares.index))
    target = (shares * closes.reindex(shares.index) / equity).reindex(risk.tickers).fillna(0.0)
    profile = OptimizationProfile(max_weight=0.5)
    plan = weights_to_trades(
        target,
        current_shares=shares,
        prices=closes,
        cash=cash,
        profile=profile,
        costs=CostRates(buy=0.001, sell=0.001),
        risk=risk,
        mu=pd.Series(0.01, index=risk.tickers),
        risk_aversion=5.0,
        sectors=sectors,
    )
    assert plan.orders.empty


def test_a_trade_worth_less_than_its_cost_is_skipped_and_one_worth_more_is_kept(risk, closes, sectors):
    tickers = risk.tickers
    held = pd.Series({tickers[0]: 100.0})
    target = pd.Series(0.0, index=tickers)  # sell the whole position
    profile = OptimizationProfile(max_weight=1.0)
    costs = CostRates(buy=0.01, sell=0.01)

    def plan_for(expected: float):
        mu = pd.Series(0.0, index=tickers)
        mu[tickers[0]] = expected
        return weights_to_trades(
            target,
            current_shares=held,
            prices=closes,
            cash=10_000.0,
            profile=profile,
            costs=costs,
            risk=risk,
            mu=mu,
            risk_aversion=0.0,
            sectors=sectors,
        )

    no_view = plan_for(0.0)  # selling earns nothing and costs 1 %
    assert no_view.orders.empty
    assert no_view.skipped == {tickers[0]: "cost exceeds expected benefit"}
    falling = plan_for(-0.05)  # selling avoids a 5 % loss for a 1 % cost
    assert falling.orders.loc[tickers[0], "delta"] == -100
    assert falling.orders.loc[tickers[0], "benefit"] > falling.orders.loc[tickers[0], "cost"]


def test_compressed_risk_model_keeps_each_variance_and_nearly_the_answer(prices, mu):
    model = estimate_risk_model(prices, window=30, horizon_days=5)  # K = 30 < N = 50: low rank + diagonal
    small = model.compressed(10)
    assert small.factor.shape == (10, 50)
    np.testing.assert_allclose(np.diag(small.covariance), np.diag(model.covariance), rtol=1e-10)
    profile = OptimizationProfile(max_weight=0.2)
    exact = optimize_weights(mu, model, profile=profile)
    fast = optimize_weights(mu, model, profile=profile, max_factors=10)
    assert (fast.weights - exact.weights).abs().max() < 0.05
    assert fast.volatility == pytest.approx(np.sqrt(portfolio_variance(model, fast.weights)))


def test_cost_rates_come_from_the_cost_model_with_tax_on_purchases_only():
    from portfolio.costs import CostModel

    model = CostModel(
        commission_rate=0.001,
        half_spread_floor=0.0005,
        ftt_rate=0.003,
        ftt_tickers=frozenset({"AIR.PA"}),
        borrow_rate_annual=0.0252,
    )
    sigma = pd.Series({"AIR.PA": 0.0, "AAPL": 0.0})
    rates = CostRates.from_cost_model(model, sigma_daily=sigma, trade_notional=10_000.0, horizon_days=5)
    buy, sell, borrow = rates.vectors(["AIR.PA", "AAPL"])
    assert buy[0] - buy[1] == pytest.approx(0.003)  # the tax, on purchases of the listed ticker only
    assert sell[0] == pytest.approx(sell[1])
    assert buy[1] == pytest.approx(sell[1]) and sell[1] > 0
    assert borrow[0] == pytest.approx(0.0252 / 252 * 5)


def test_fees_cannot_be_inflated_to_escape_infeasible_limits(risk, mu):
    # With fees, buying and selling the same shares would shrink every "(1 − C)" limit to zero; the
    # optimiser must report the conflict, not return an empty portfolio as optimal.
    profile = OptimizationProfile(max_weight=0.01, net_min=0.9)
    with pytest.raises(Unprocessable) as caught:
        optimize_weights(mu, risk, profile=profile, costs=CostRates(buy=0.001, sell=0.001))
    assert set(caught.value.details["binding"]) == {"position bounds", "net exposure"}


def test_reduced_risk_model_is_the_same_covariance(prices):
    model = estimate_risk_model(prices, window=252)  # K = 252 > N = 50
    reduced = model.reduced()
    assert reduced.factor.shape == (50, 50)
    np.testing.assert_allclose(reduced.covariance.to_numpy(), model.covariance.to_numpy(), atol=1e-15)
    np.testing.assert_allclose(
        np.diag(model.compressed(10).covariance), np.diag(model.covariance), rtol=1e-10
    )  # K > N branch of the factor compression


@pytest.mark.parametrize("objective", ["mean_variance", "min_variance", "max_sharpe"])
def test_low_rank_ledoit_wolf_gives_the_dense_exact_answer(prices, mu, objective):
    # 30 return days < 50 assets: the optimiser works with Σ = F'F + diag(d), F the 30×50 scaled returns,
    # never an N×N factor. The same Σ given densely (Cholesky, 50×50) must give the same weights.
    model = estimate_risk_model(prices, window=30, horizon_days=5)
    costs = CostRates(buy=0.001, sell=0.001, borrow=0.0005)
    profile = OptimizationProfile(max_weight=0.1, gross_max=1.6, net_min=0.5, long_only=False)
    w0 = pd.Series(0.9 / len(mu), index=mu.index)
    assert problem_arrays(mu, model, w0, profile, costs, None).factor.shape == (30, 50)
    dense = model.covariance
    assert problem_arrays(mu, dense, w0, profile, costs, None).factor.shape == (50, 50)
    low_rank = optimize_weights(mu, model, w0, profile, costs, objective=objective)
    exact = optimize_weights(mu, dense, w0, profile, costs, objective=objective)
    assert (low_rank.weights - exact.weights).abs().max() < 1e-5
    assert (low_rank.weights < -1e-4).any()  # the long/short split is exercised
    assert low_rank.volatility == pytest.approx(exact.volatility, rel=1e-6)

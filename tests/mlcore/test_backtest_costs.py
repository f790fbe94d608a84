"""mlcore's backtests charge the costs of portfolio.costs without importing it (a higher layer)."""

from __future__ import annotations

import numpy as np
import pytest
from django.core.exceptions import ImproperlyConfigured

from mlcore.training import backtest_costs
from portfolio import costs


def test_backtests_charge_the_registered_portfolio_costs_of_the_preset():
    sigma = np.array([0.01, 0.02, 0.03])

    rates = backtest_costs.rates("french-online", sigma_daily=sigma, trade_notional=2_000.0)

    assert rates == costs.backtest_cost_rates(
        costs.PRESETS["french-online"], sigma_daily=sigma, trade_notional=2_000.0
    )
    assert rates[0] > 0


def test_an_unknown_preset_is_a_configuration_error_naming_it():
    with pytest.raises(ImproperlyConfigured, match="no-such-broker"):
        backtest_costs.rates("no-such-broker", sigma_daily=np.array([0.01]), trade_notional=2_000.0)

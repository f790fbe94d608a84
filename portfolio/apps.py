from __future__ import annotations

from django.apps import AppConfig


class PortfolioConfig(AppConfig):
    name = "portfolio"
    verbose_name = "Portfolios and orders"

    def ready(self) -> None:
        from mlcore.training import backtest_costs
        from portfolio.costs import preset_backtest_cost_rates

        # mlcore's backtests charge portfolio's costs without importing portfolio (a lower layer).
        backtest_costs.register(preset_backtest_cost_rates)
        from portfolio import digest_tasks  # noqa: F401  (registers the digest's Celery task)

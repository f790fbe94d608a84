from __future__ import annotations

from django.apps import AppConfig


class MarketConfig(AppConfig):
    name = "market"
    verbose_name = "Market data"

    def ready(self) -> None:
        from market.health import check_market_data
        from swingtrade.health import register_check

        # Not required: the site serves without prices (empty pages), but operators should see it.
        register_check("market_data", check_market_data, required=False)

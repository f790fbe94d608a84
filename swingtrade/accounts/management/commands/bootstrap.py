"""Idempotent set-up behind `make run`: market sample, first model, demo logins and portfolio.

Each step checks first and does nothing when its work is already there, so a second run is fast.
"""

from __future__ import annotations

import time
from decimal import Decimal

from django.core.management.base import BaseCommand, CommandError

DEMO_PORTFOLIO = "Demo portfolio"
DEMO_CASH = Decimal("100000")
# Holdings bought at the real close about three months before the sample's last date.
DEMO_HOLDINGS = (("AAPL", 120), ("MSFT", 60), ("JPM", 100), ("XOM", 150), ("PG", 50))
DEMO_ENTRY_OFFSET_SESSIONS = 60


class Command(BaseCommand):
    help = "Load the embedded market sample, train the first model, create demo accounts (idempotent)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--no-demo", action="store_true", help="skip demo accounts and portfolio")

    def handle(self, *args, **options) -> None:
        from market import selectors as market_selectors
        from market import services as market_services
        from mlcore import registry
        from mlcore import services as ml_services
        from swingtrade.accounts import services as account_services

        started = time.perf_counter()
        if market_selectors.latest_bar_date() is None:
            self.stdout.write("Loading the embedded market sample (50 tickers, 2016-2021)…")
            run = market_services.sample_load()
            if run.status not in ("succeeded", "partial"):
                raise CommandError(f"loading the sample failed: {run.error or run.status}")
            self.stdout.write(self.style.SUCCESS(f"  {run.inserted} bars inserted, {run.rejected} rejected"))
        else:
            self.stdout.write(f"Market data present up to {market_selectors.latest_bar_date()}.")

        before = registry.champion()
        if before is None:
            self.stdout.write("Training the first model (walk-forward on the sample)…")
        champion = ml_services.first_model_ensure()
        if champion is None:
            raise CommandError("no champion model could be trained: no market data")
        verb = "Trained and promoted the first champion" if before != champion else "Champion model"
        self.stdout.write(self.style.SUCCESS(f"{verb}: {champion}"))

        if not options["no_demo"]:
            accounts = account_services.demo_accounts_ensure()
            investor = next(a for a in accounts if a.role == "investor")
            self._demo_portfolio_ensure(investor.username)
            self.stdout.write("Demo logins (http://127.0.0.1:8000/accounts/login/):")
            for account in accounts:
                note = "created" if account.created else "exists, password unchanged"
                self.stdout.write(f"  {account.role:9s} {account.username} / {account.password}  ({note})")
        self.stdout.write(self.style.SUCCESS(f"Bootstrap done in {time.perf_counter() - started:.1f} s."))

    def _demo_portfolio_ensure(self, username: str) -> None:
        """A long-only portfolio with a few real positions, so proposals have holdings to work from."""
        from django.contrib.auth import get_user_model

        from market.models import DailyBar
        from portfolio import services as portfolio_services
        from portfolio.models import Portfolio

        owner = get_user_model().objects.get(username=username)
        if Portfolio.objects.filter(owner=owner, name=DEMO_PORTFOLIO).exists():
            return
        portfolio = portfolio_services.portfolio_create(owner=owner, name=DEMO_PORTFOLIO, cash=DEMO_CASH)
        dates = list(DailyBar.objects.order_by("-date").values_list("date", flat=True).distinct()[:200])
        entry_date = dates[min(DEMO_ENTRY_OFFSET_SESSIONS, len(dates) - 1)]
        closes = dict(
            DailyBar.objects.filter(
                date=entry_date, ticker__symbol__in=[t for t, _ in DEMO_HOLDINGS]
            ).values_list("ticker__symbol", "close")
        )
        for symbol, quantity in DEMO_HOLDINGS:
            if symbol in closes:
                portfolio_services.trade_record(
                    portfolio=portfolio,
                    ticker=symbol,
                    side="buy",
                    quantity=quantity,
                    price=Decimal(str(closes[symbol])),
                    traded_on=entry_date,
                )
        self.stdout.write(f"Created '{DEMO_PORTFOLIO}' for {username} with positions bought on {entry_date}.")

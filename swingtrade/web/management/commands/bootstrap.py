"""Idempotent set-up behind `make run`: market sample, first model, demo logins and portfolio.

Demo logins: by default with DEBUG on (development settings), with `--demo` otherwise, never in production.

Each step checks first and does nothing when its work is already there, so a second run is fast.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Load the embedded market sample, train the first model, create demo accounts (idempotent)."

    def add_arguments(self, parser) -> None:
        demo = parser.add_mutually_exclusive_group()
        demo.add_argument(
            "--demo",
            action="store_true",
            help="create demo accounts and portfolio (the default with DEBUG on; refused in production)",
        )
        demo.add_argument("--no-demo", action="store_true", help="skip demo accounts and portfolio")

    def handle(self, *args, **options) -> None:
        from market import selectors as market_selectors
        from market import services as market_services
        from market.models import IngestionRun
        from mlcore.registry import versions as registry
        from mlcore.serving import first_champion
        from portfolio.demo import demo_portfolio_ensure
        from swingtrade.accounts import services as account_services

        with_demo = options["demo"] or (settings.DEMO_ACCOUNTS_BY_DEFAULT and not options["no_demo"])
        # Checked before any work: a refused --demo must not leave a half-done set-up behind.
        if with_demo and not settings.DEMO_ACCOUNTS_ALLOWED:
            raise CommandError("demo accounts are never created under production settings (--demo refused)")
        started = time.perf_counter()
        if market_selectors.latest_bar_date() is None:
            self.stdout.write("Loading the embedded market sample (50 tickers, 2016-2021)…")
            run = market_services.sample_load()
            if run.status not in (IngestionRun.Status.SUCCEEDED, IngestionRun.Status.PARTIAL):
                raise CommandError(f"loading the sample failed: {run.error or run.status}")
            self.stdout.write(self.style.SUCCESS(f"  {run.inserted} bars inserted, {run.rejected} rejected"))
        else:
            self.stdout.write(f"Market data present up to {market_selectors.latest_bar_date()}.")

        from market import fx

        if not fx.FxRate.objects.exists():
            self.stdout.write(
                f"  {fx.fx_sample_load()} ECB EURUSD rates loaded (euro portfolios holding US shares)."
            )

        before = registry.champion()
        if before is None:
            self.stdout.write("Training the first model (walk-forward on the sample)…")
        champion = first_champion.first_model_ensure()
        if champion is None:
            raise CommandError("no champion model could be trained: no market data")
        verb = "Trained and promoted the first champion" if before != champion else "Champion model"
        self.stdout.write(self.style.SUCCESS(f"{verb}: {champion}"))

        if with_demo:
            accounts = account_services.demo_accounts_ensure()
            investor = next(a for a in accounts if a.role == "investor")
            owner = get_user_model().objects.get(username=investor.username)
            portfolio = demo_portfolio_ensure(owner=owner)
            if portfolio is not None:
                self.stdout.write(f"Created '{portfolio.name}' for {owner.username} with real positions.")
            self.stdout.write("Demo logins (http://127.0.0.1:8000/accounts/login/):")
            for account in accounts:
                note = "created" if account.created else "exists, password unchanged"
                self.stdout.write(f"  {account.role:9s} {account.username} / {account.password}  ({note})")
        from portfolio.replay.services import replay_demo_ensure

        self.stdout.write("Track record: replaying the strategies on the stored bars (first run only)…")
        replay = replay_demo_ensure(progress=lambda name, offset: self.stdout.write(f"  {name} done"))
        self.stdout.write(f"  replay #{replay.pk} stored." if replay else "  a replay is already stored.")
        self.stdout.write(self.style.SUCCESS(f"Bootstrap done in {time.perf_counter() - started:.1f} s."))

"""Optimise one portfolio and print the whole-share orders: ``python manage.py optimize PORTFOLIO_ID``."""

from __future__ import annotations

import datetime as dt
import json

from django.core.management.base import BaseCommand, CommandError

from portfolio.models import OptimizationRun, Portfolio
from swingtrade.errors import DomainError


class Command(BaseCommand):
    help = (
        "Optimise a portfolio (mean-variance by default) from the champion's predictions, round to whole "
        "shares, price every order and store the run; prints the table of orders."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("portfolio_id", type=int)
        parser.add_argument(
            "--objective", choices=[c for c, _ in OptimizationRun.Objective.choices], default=None
        )
        parser.add_argument(
            "--as-of", default=None, help="ISO date of prices and predictions (default: latest)"
        )
        parser.add_argument(
            "--overrides", default=None, help="JSON object of profile fields, e.g. '{\"max_weight\": 0.1}'"
        )

    def handle(self, *args, **options) -> None:
        from portfolio.services.optimization import portfolio_optimize

        portfolio = Portfolio.objects.filter(pk=options["portfolio_id"]).first()
        if portfolio is None:
            raise CommandError(f"No portfolio {options['portfolio_id']}.")
        try:
            as_of = dt.date.fromisoformat(options["as_of"]) if options["as_of"] else None
            overrides = json.loads(options["overrides"]) if options["overrides"] else None
        except ValueError as exc:
            raise CommandError(f"Bad --as-of or --overrides: {exc}")
        try:
            run = portfolio_optimize(
                portfolio=portfolio,
                objective=options["objective"],
                overrides=overrides,
                as_of=as_of,
                user=portfolio.owner,
            )
        except DomainError as exc:
            raise CommandError(exc.message)
        self._print(run)

    def _print(self, run: OptimizationRun) -> None:
        out = self.stdout
        out.write(
            f"Run #{run.pk} {run.get_objective_display()} on {run.as_of} (horizon {run.horizon_days} days), "
            f"solver {run.solver} {run.solver_status}: compile {run.compile_seconds:.3f} s, "
            f"solve {run.solve_seconds:.3f} s"
        )
        execution = run.parameters.get("execution", {})
        odds = ""
        if execution.get("all_fill_probability") is not None:
            odds = (
                f" if every order fills (P = {execution['all_fill_probability']:.0%}, "
                f"the least likely order {execution['min_fill_probability']:.0%})"
            )
        out.write(
            f"Expected return {run.expected_return_before:+.2%} -> {run.expected_return_after:+.2%}, "
            f"volatility {run.volatility_before:.2%} -> {run.volatility_after:.2%}{odds}, "
            f"turnover {run.turnover:.1%}, estimated costs {run.trade_costs_money:,.2f}"
        )
        header = (
            f"{'ticker':<8}{'action':<7}{'side':<6}{'qty':>8}  {'type':<11}{'limit':>10}  "
            f"{'valid':<11}{'P(fill)':>8}"
        )
        out.write(header)
        out.write("-" * len(header))
        proposals = list(run.proposals.select_related("ticker").order_by("ticker__symbol", "id"))
        for p in proposals:
            limit = f"{p.limit_price:.2f}" if p.limit_price is not None else "-"
            prob = f"{p.fill_probability:.0%}" if p.fill_probability is not None else "-"
            out.write(
                f"{p.ticker.symbol:<8}{p.action:<7}{p.side:<6}{p.quantity:>8}  "
                f"{p.order_type:<11}{limit:>10}  {p.valid_until!s:<11}{prob:>8}"
            )
        if not proposals:
            out.write("No trade: the portfolio already sits at its optimum (or no trade is worth its cost).")
        for ticker, reason in sorted(run.skipped.items()):
            out.write(f"skipped {ticker}: {reason}")

"""``manage.py replay``: replay the strategies over a period and print the statistics table."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from portfolio.replay import services
from portfolio.replay.report import table_rows
from portfolio.replay.strategies import STRATEGIES
from swingtrade.errors import DomainError


def _pct(value) -> str:
    return "n/a" if value is None else f"{value:+.1%}"


def _num(value, digits: int = 2) -> str:
    return "n/a" if value is None else f"{value:.{digits}f}"


class Command(BaseCommand):
    help = (
        "Walk-forward replay of SwingTrade's advice against 1/N, min-variance and cash, after costs and tax."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--start", help="first session (default: a year after the data's first bar)")
        parser.add_argument("--end", help="last session (default: the last bar)")
        parser.add_argument("--data", help="a long CSV file instead of the stored bars")
        parser.add_argument("--strategies", help=f"comma-separated, from {', '.join(STRATEGIES)}")
        parser.add_argument("--offsets", default="0", help="'all' or comma-separated rebalance offsets")
        parser.add_argument("--rebalance-every", type=int, default=5, help="sessions between rebalances")
        parser.add_argument("--retrain", default="monthly", help="monthly, quarterly or never")
        parser.add_argument("--costs", default="french-online", help="cost preset")
        parser.add_argument(
            "--initial-cash", type=float, default=100_000.0, help="the account's cash at the start"
        )

    def handle(self, *args, **options) -> None:
        try:
            params = services.replay_params(
                start=options["start"],
                end=options["end"],
                data=options["data"],
                strategies=options["strategies"].split(",") if options["strategies"] else None,
                offsets=options["offsets"],
                rebalance_every=options["rebalance_every"],
                retrain=options["retrain"],
                cost_preset=options["costs"],
                initial_cash=options["initial_cash"],
            )
            parts = len(params["strategies"]) * len(params["offsets"])
            with (
                tqdm(total=parts, unit="part", desc="replay", file=self.stderr, position=0) as bar,
                tqdm(unit="session", desc="sessions", file=self.stderr, position=1, leave=False) as sessions,
            ):

                def step(strategy_name: str, offset: int) -> None:
                    bar.set_postfix_str(f"{strategy_name} offset {offset} done")
                    bar.update()

                def session_step(strategy_name: str, offset: int, done: int, total: int) -> None:
                    if done == 1 or sessions.total != total:
                        sessions.reset(total=total)
                        sessions.set_description(f"{strategy_name} offset {offset}")
                    sessions.n = done
                    sessions.refresh()

                run = services.replay_run_now(params=params, progress=step, session_progress=session_step)
        except DomainError as exc:
            raise CommandError(exc.message)
        self._table(run)

    def _table(self, run) -> None:
        fp = run.data_fingerprint
        self.stdout.write(
            f"Replay #{run.pk}: {fp.get('source')} ({fp.get('n_tickers')} tickers), "
            f"{run.results['strategies'][next(iter(run.results['strategies']))]['equity']['dates'][0]}"
            f" … {fp.get('end')}, offsets {run.params['offsets']}, {run.seconds:.0f} s"
        )
        header = (
            f"{'strategy':24s} {'CAGR':>7s} {'CAGR pre':>8s} {'vol':>6s} {'Sharpe':>6s} {'pre-tax':>7s} "
            f"{'Sortino':>7s} {'maxDD':>7s} {'DD days':>7s} {'Calmar':>6s} {'turn/yr':>7s} {'fees':>8s} "
            f"{'tax':>8s} {'orders p/f/e':>14s} {'hit':>5s} {'ΔSharpe vs 1/N [95% CI] p':>30s}"
        )
        self.stdout.write(header)
        for row in table_rows(run.results):
            diff = (
                f"{_num(row['sharpe_diff'])} "
                f"[{_num(row['sharpe_diff_low'])}, {_num(row['sharpe_diff_high'])}]"
                f" p={_num(row['sharpe_diff_p'])}"
            )
            self.stdout.write(
                f"{row['label']:24s} {_pct(row['cagr']):>7s} {_pct(row['cagr_before_tax']):>8s} "
                f"{_pct(row['volatility']):>6s} {_num(row['sharpe']):>6s} "
                f"{_num(row['sharpe_before_tax']):>7s} "
                f"{_num(row['sortino']):>7s} {_pct(row['max_drawdown']):>7s} "
                f"{row['max_drawdown_sessions']:>7d} {_num(row['calmar']):>6s} "
                f"{_num(row['turnover_per_year']):>7s} {row['fees'] + row['spread']:>8.0f} "
                f"{row['tax']:>8.0f} "
                f"{row['orders']:>14s} {_pct(row['hit_rate']):>5s} {diff:>30s}"
            )
            if len(run.params["offsets"]) > 1:
                ranges = row["range"]
                self.stdout.write(
                    "  over offsets: "
                    + ", ".join(f"{k} {v[0]:.3f}…{v[1]:.3f}" for k, v in ranges.items() if v is not None)
                )
        self.stdout.write(
            "Statistics after costs and French tax (PFU 30 %) unless marked 'pre'; see docs/replay.md."
        )

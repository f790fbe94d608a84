"""The replay by halves: run the parts (strategy × offset), save each, print the table against the targets.

Run (the measurement of docs/advice.md "The replay, by halves"):

    .venv/bin/python bench/halves.py --data ../shared/data/sp500_daily_2013_2021.csv.gz \\
        --start 2014-01-02 --end 2021-04-21 --initial-cash 10000000 --jobs 2

Each part is one ``portfolio.replay.engine.run_replay`` in a pool of ``--jobs`` processes (each process
reads the data file once), saved as ``STRATEGY-oOFFSET.json`` under ``--out`` (``swingtrade-kκ-oOFFSET.json``
for the default advice, so the parts of a κ grid share one directory and 1/N's parts): the ``part_result`` (it
carries the traded notional per year and the invested fraction at each rebalance) and the parameters that
made it. A part already saved with the same parameters is not run again, so an interrupted run resumes
where it stopped. Then, from every saved part:

- the minimum invested fraction (1 − cash / equity at the close of a rebalance, before its orders fill)
  per strategy, so a reader sees whether 1/N held its shares;
- per period (``portfolio.replay.halves.HALVES``, clipped to the run, and the whole run): figure, value,
  target, peer (1/N monthly at the same offsets) and whether the target is met
  (:func:`portfolio.replay.halves.against_targets`);
- the detailed markdown table of :func:`portfolio.replay.halves.table`.

``--cost-aversion`` overrides κ of the default advice for a grid run (passed through ``ReplayConfig``;
the product's ``COST_AVERSION`` is not touched). Nothing else is tuned: the settings are the product's.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
STRATEGIES = ("swingtrade", "equal_weight_monthly", "equal_weight_buy_hold", "min_variance")
OFFSETS = "0,1,2,3,4"


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "swingtrade.settings.base")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()


# The strategies whose targets are the default advice: the only ones κ changes.
ADVICE_STRATEGIES = frozenset({"swingtrade"})


# What a run asks for, not what makes one of its parts.
RUN_ONLY = frozenset({"strategies", "offsets"})


def part_params(params: dict[str, Any], strategy: str) -> dict[str, Any]:
    """The parameters that make a part: not the run's list of parts, and κ only for the default advice
    (so a κ grid, or another run's choice of strategies and offsets, shares the parts already saved)."""
    skip = RUN_ONLY if strategy in ADVICE_STRATEGIES else RUN_ONLY | {"cost_aversion"}
    return {k: v for k, v in params.items() if k not in skip}


def part_path(out: Path, params: dict[str, Any], strategy: str, offset: int) -> Path:
    kappa = f"-k{params['cost_aversion']:g}" if strategy in ADVICE_STRATEGIES else ""
    return out / f"{strategy}{kappa}-o{offset}.json"


def saved_part(path: Path, params: dict[str, Any]) -> dict[str, Any] | None:
    """The part saved at ``path`` if it was made with ``params``; None if missing, different or unreadable."""
    try:
        part = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    return part if part.get("params") == params else None


def run_part(params: dict[str, Any], strategy: str, offset: int, out: str) -> tuple[str, int, float, float]:
    """One part in this process, saved to ``out``; (strategy, offset, wall seconds, CPU seconds)."""
    _setup()
    from portfolio.replay import services
    from portfolio.replay.engine import run_replay
    from portfolio.replay.report import part_result

    if _saved(Path(out), params, strategy, offset) is not None:  # saved meanwhile by another run
        return strategy, offset, 0.0, 0.0
    data = services.load_data(params)  # cached per process
    config = dataclasses.replace(
        services.resolved_config(params, data, offset), cost_aversion=params["cost_aversion"]
    )
    wall, cpu = time.perf_counter(), time.process_time()
    result = run_replay(data, config, strategy)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    part = {
        **part_result(result),
        "params": part_params(params, strategy),
        "seconds": wall,
        "cpu_seconds": cpu,
    }
    path = part_path(Path(out), params, strategy, offset)
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps(part))
    temporary.replace(path)  # a part interrupted while writing is not taken as saved
    return strategy, offset, wall, cpu


def run_parts(
    params: dict[str, Any], strategies: list[str], offsets: list[int], out: Path, jobs: int
) -> list[dict[str, Any]]:
    """Run the parts not yet saved with ``params`` (a line per finished part); return every part."""
    out.mkdir(parents=True, exist_ok=True)
    wanted = [(s, o) for o in offsets for s in strategies]  # offset by offset: a partial run is usable
    todo = [(s, o) for s, o in wanted if _saved(out, params, s, o) is None]
    print(f"{len(wanted)} parts, {len(wanted) - len(todo)} already saved in {out}, {len(todo)} to run")
    started = time.perf_counter()

    def finished(done: int, strategy: str, offset: int, wall: float, cpu: float) -> None:
        print(
            f"  [{done}/{len(todo)}] {strategy} offset {offset}: {wall:.0f} s "
            f"({cpu:.0f} s CPU), {time.perf_counter() - started:.0f} s since start"
        )

    if jobs == 1:  # in this process: no pool to start, the data read once all the same
        for done, (s, o) in enumerate(todo, start=1):
            finished(done, *run_part(params, s, o, str(out)))
    elif todo:
        with ProcessPoolExecutor(max_workers=jobs) as pool:
            futures = [pool.submit(run_part, params, s, o, str(out)) for s, o in todo]
            for done, future in enumerate(as_completed(futures), start=1):
                finished(done, *future.result())
    parts = [_saved(out, params, s, o) for s, o in wanted]
    return [p for p in parts if p is not None]


def _saved(out: Path, params: dict[str, Any], strategy: str, offset: int) -> dict[str, Any] | None:
    return saved_part(part_path(out, params, strategy, offset), part_params(params, strategy))


def invested_lines(parts: list[dict[str, Any]]) -> list[str]:
    """Per strategy, the lowest invested fraction at a rebalance over all offsets, and when."""
    lines = []
    for strategy in dict.fromkeys(p["strategy"] for p in parts):
        points = [
            (fraction, day, p["offset"])
            for p in parts
            if p["strategy"] == strategy
            for day, fraction in (p.get("invested_at_decisions") or {}).items()
        ]
        if not points:
            lines.append(f"  {strategy}: no rebalance after the first")
            continue
        fraction, day, offset = min(points)
        lines.append(f"  {strategy}: {fraction:.1%} ({day}, offset {offset}; {len(points)} rebalances)")
    return lines


def _print_table(rows: list[tuple[str, ...]]) -> None:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for i, row in enumerate(rows):
        print("| " + " | ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)) + " |")
        if i == 0:
            print("|" + "|".join("-" * (w + 2) for w in widths) + "|")


def report(parts: list[dict[str, Any]]) -> None:
    from portfolio.replay import halves

    periods = halves.periods_of(parts)
    rows = halves.split(parts, periods)
    print("\nLowest invested fraction (1 − cash / equity) at a rebalance, over the offsets:")
    print("\n".join(invested_lines(parts)))
    for label, _, _ in periods:
        print(f"\n{label}:")
        _print_table(
            [("figure", "value", "target", "peer (1/N monthly)", "met")]
            + [tuple(v) for v in halves.against_targets([r for r in rows if r.period == label])]
        )
    print()
    print(halves.table(rows))


def _float(text: str, name: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{name} must be a number; got {text!r}") from None


def main(argv: list[str] | None = None) -> int:
    sys.stdout.reconfigure(line_buffering=True)  # progress lines show at once, also into a file
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", required=True, help="the long CSV file of bars")
    parser.add_argument("--start", help="first session (default: a year after the data's first bar)")
    parser.add_argument("--end", help="last session (default: the last bar)")
    parser.add_argument("--offsets", default=OFFSETS, help="comma-separated rebalance offsets, or 'all'")
    parser.add_argument("--strategies", default=",".join(STRATEGIES), help="comma-separated")
    parser.add_argument("--initial-cash", type=lambda v: _float(v, "--initial-cash"), default=100_000.0)
    parser.add_argument("--retrain", default="never", help="monthly, quarterly or never")
    parser.add_argument(
        "--cost-aversion",
        type=lambda v: _float(v, "--cost-aversion"),
        help="κ of the default advice (default: the product's COST_AVERSION)",
    )
    parser.add_argument("--jobs", type=int, default=1, help="processes running parts at once")
    parser.add_argument("--out", type=Path, help="directory of the saved parts (default var/halves/…)")
    args = parser.parse_args(argv)
    if args.jobs < 1:
        parser.error("--jobs must be at least 1")
    _setup()
    from django.conf import settings

    from portfolio.advice.core import COST_AVERSION
    from portfolio.replay import services
    from swingtrade.errors import DomainError

    kappa = COST_AVERSION if args.cost_aversion is None else args.cost_aversion
    if not kappa >= 1:
        parser.error("--cost-aversion must be at least 1")
    try:
        params = services.replay_params(
            start=args.start,
            end=args.end,
            data=str(Path(args.data).resolve()),
            strategies=args.strategies.split(","),
            offsets=args.offsets,
            retrain=args.retrain,
            initial_cash=args.initial_cash,
        )
    except DomainError as exc:
        parser.error(exc.message)
    params["cost_aversion"] = float(kappa)  # saved with each part: a κ change re-runs it
    out = args.out or Path(settings.VAR_DIR) / "halves" / (
        f"{Path(args.data).name.split('.')[0]}_{params['start']}_{params['end']}"
        f"_cash{params['initial_cash']:.0f}_{params['retrain']}"
    )
    print(f"load average {os.getloadavg()[0]:.1f}; κ = {kappa:g}; parameters {params}")
    parts = run_parts(params, params["strategies"], params["offsets"], out, args.jobs)
    if not parts:
        print("no part saved", file=sys.stderr)
        return 1
    report(parts)
    return 0


if __name__ == "__main__":
    sys.exit(main())

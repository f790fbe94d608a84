from __future__ import annotations

import math
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from mlcore.models import ModelVersion
from mlcore.training import services
from swingtrade.errors import DomainError

HEADER = (
    "model",
    "OOS window",
    "rank IC ± SE",
    "t",
    "rank ICIR",
    "hit",
    "Q5−Q1",
    "LS ann. return gross/net",
    "LS vol gross/net",
    "LS Sharpe gross/net",
    "LS max DD gross/net",
    "turnover",
    "train s",
    "predict s",
)


def _f(value, spec: str) -> str:
    return "—" if value is None or (isinstance(value, float) and math.isnan(value)) else format(value, spec)


def _pair(ls: dict[str, Any], key: str, spec: str) -> str:
    return f"{_f(ls.get('gross', {}).get(key), spec)} / {_f(ls.get('net', {}).get(key), spec)}"


def _seconds(folds: list[dict[str, Any]], key: str) -> float | None:
    """Total over the walk-forward folds (every refit and every out-of-sample prediction)."""
    values = [f[key] for f in folds if isinstance(f.get(key), int | float)]
    return sum(values) if values else None


def metric_row(name: str, metrics: dict[str, Any]) -> list[str] | None:
    """One line of the table from a stored (or freshly computed) ``{"oos": …, "folds": […]}``."""
    m = metrics.get("oos") or {}
    if not m:
        return None
    if m.get("no_valid_score"):
        # Nothing to measure: say why, and print no number (they would rank names by column order).
        return [name, f"— ({m['no_valid_score']})", *["—"] * (len(HEADER) - 2)]
    ls = m.get("long_short", {})
    folds = metrics.get("folds", [])
    return [
        name,
        f"{m['window']['start']}…{m['window']['end']}",
        f"{_f(m.get('rank_ic_mean'), '+.4f')} ± {_f(m.get('rank_ic_se'), '.4f')}",
        _f(m.get("rank_ic_t"), "+.2f"),
        _f(m.get("rank_icir"), "+.3f"),
        _f(m.get("hit_rate"), ".3f"),
        _f(m.get("top_bottom_quintile"), "+.4f"),
        _pair(ls, "ann_return", "+.1%"),
        _pair(ls, "ann_vol", ".1%"),
        _pair(ls, "sharpe", "+.2f"),
        _pair(ls, "max_drawdown", ".1%"),
        _f(ls.get("turnover_per_rebalance"), ".2f"),
        _f(_seconds(folds, "fit_seconds"), ".2f"),
        _f(_seconds(folds, "predict_seconds"), ".2f"),
    ]


class Command(BaseCommand):
    help = (
        "Print the out-of-sample metric table of the champion, the candidates and the rule baselines: "
        "rank IC, ICIR, hit rate, quintile spread, decile long-short return, volatility, Sharpe and "
        "max drawdown gross and net of costs, turnover, walk-forward training and prediction seconds."
    )

    def handle(self, *args, **options) -> None:
        versions = list(
            ModelVersion.objects.exclude(status=ModelVersion.Status.REJECTED).order_by("-id")[:10]
        )
        rows = [(f"#{v.pk} {v.algorithm} ({v.status})", v.metrics or {}) for v in versions]
        try:
            baselines = services.baseline_metrics(progress=True)
        except DomainError as exc:
            raise CommandError(exc.message)
        rows += [(f"baseline {name}", metrics) for name, metrics in baselines.items()]
        self.stdout.write(" | ".join(HEADER))
        for name, metrics in rows:
            line = metric_row(name, metrics)
            if line is not None:
                self.stdout.write(" | ".join(line))

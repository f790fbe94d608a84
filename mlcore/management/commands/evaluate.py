from __future__ import annotations

import math

from django.core.management.base import BaseCommand, CommandError

from mlcore import candidates, services
from mlcore.dataset import load_panels
from mlcore.models import ModelVersion
from mlcore.training import build_dataset
from swingtrade.errors import DomainError


def _f(value, spec: str) -> str:
    return "—" if value is None or (isinstance(value, float) and math.isnan(value)) else format(value, spec)


class Command(BaseCommand):
    help = "Print the out-of-sample metric table of the champion, the candidates and the rule baselines."

    def handle(self, *args, **options) -> None:
        versions = list(
            ModelVersion.objects.exclude(status=ModelVersion.Status.REJECTED).order_by("-id")[:10]
        )
        rows = [(f"#{v.pk} {v.algorithm} ({v.status})", v.oos) for v in versions]
        try:
            config = services.training_config()
            panels = load_panels()
            if panels.close.empty:
                raise CommandError("No stored prices: load market data first.")
            dataset = build_dataset(panels, horizon=config.horizon)
            for baseline in candidates.BASELINES:
                _, metrics = services.evaluate_config(
                    baseline, candidates.params_for(baseline), dataset, config, progress=True
                )
                rows.append((f"baseline {baseline}", metrics["oos"]))
        except DomainError as exc:
            raise CommandError(exc.message)
        header = (
            "model",
            "OOS window",
            "rank IC ± SE",
            "t",
            "hit",
            "Q5−Q1",
            "LS Sharpe gross/net",
            "turnover",
        )
        self.stdout.write(" | ".join(header))
        for name, m in rows:
            if not m:
                continue
            ls = m.get("long_short", {})
            gross, net = ls.get("gross", {}).get("sharpe"), ls.get("net", {}).get("sharpe")
            self.stdout.write(" | ".join([
                name,
                f"{m['window']['start']}…{m['window']['end']}",
                f"{_f(m.get('rank_ic_mean'), '+.4f')} ± {_f(m.get('rank_ic_se'), '.4f')}",
                _f(m.get("rank_ic_t"), "+.2f"),
                _f(m.get("hit_rate"), ".3f"),
                _f(m.get("top_bottom_quintile"), "+.4f"),
                f"{_f(gross, '+.2f')} / {_f(net, '+.2f')}",
                _f(ls.get("turnover_per_rebalance"), ".2f"),
            ]))  # fmt: skip

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError

from mlcore.training import candidates, challenger, services
from swingtrade.errors import DomainError


class Command(BaseCommand):
    help = "Train a model by walk-forward on the stored prices and register it (optionally promote it)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--algorithm", choices=candidates.MODELS, default=None)
        parser.add_argument("--params", default=None, help="hyper-parameters as JSON, e.g. '{\"alpha\": 10}'")
        parser.add_argument("--horizon", type=int, default=None, help="label horizon in trading days")
        parser.add_argument("--window", choices=["expanding", "rolling"], default=None)
        parser.add_argument(
            "--window-size", type=int, default=None, help="training dates of a rolling window"
        )
        parser.add_argument("--promote", action="store_true", help="promote if it beats the champion")

    def handle(self, *args, **options) -> None:
        try:
            params = json.loads(options["params"]) if options["params"] else None
        except json.JSONDecodeError as exc:
            raise CommandError(f"--params is not valid JSON: {exc}")
        try:
            config = services.training_config(
                algorithm=options["algorithm"],
                params=params,
                horizon=options["horizon"],
                window=options["window"],
                window_size=options["window_size"],
            )
            version = challenger.train_and_maybe_promote(
                config=config, promote=options["promote"], progress=True
            )
        except DomainError as exc:
            raise CommandError(exc.message)
        oos = version.oos
        self.stdout.write(
            f"model version {version.pk} ({version.algorithm}): {version.status}; "
            f"OOS {oos['window']['start']}…{oos['window']['end']} "
            f"rank IC {oos['rank_ic_mean']:+.4f} ± {oos['rank_ic_se']:.4f}, "
            f"hit rate {oos['hit_rate']:.3f}, trained in {version.training_seconds:.1f} s; "
            f"{version.edge_status} (reliability {version.reliability:.2f})"
        )
        if version.status_reason:
            self.stdout.write(version.status_reason)

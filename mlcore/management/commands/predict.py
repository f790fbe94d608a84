from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from mlcore.serving import predict
from swingtrade.errors import DomainError


class Command(BaseCommand):
    help = "Compute and store the champion's predictions for a date (default: the latest with data)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--as-of", default=None, help="YYYY-MM-DD")

    def handle(self, *args, **options) -> None:
        try:
            frame, version, data_date = predict.predictions_for(as_of=options["as_of"])
        except DomainError as exc:
            raise CommandError(exc.message)
        counts = frame["side"].value_counts().to_dict()
        self.stdout.write(
            f"{len(frame)} predictions of model version {version.pk} for {data_date.isoformat()}: "
            f"{counts.get('buy', 0)} buy, {counts.get('sell', 0)} sell, {counts.get('neutral', 0)} neutral"
        )
        for ticker, row in frame.head(5).iterrows():
            self.stdout.write(
                f"  #{row['rank']} {ticker} {row['side']} expected {row['expected_return']:+.4f}"
            )

"""The ranking: "which stocks should I buy, sell or short right now?" from the champion's predictions."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from mlcore.models import ModelVersion
from mlcore.serving import predict
from swingtrade.errors import DomainError

SIDES = ("buy", "sell")
MAX_LIMIT = 500


@dataclass(frozen=True)
class RankingEntry:
    ticker: str
    side: str
    rank: int
    score: float
    expected_return: float
    predicted_volatility: float | None
    confidence: float | None


@dataclass(frozen=True)
class Ranking:
    as_of: date
    data_date: date
    model_version: ModelVersion
    horizon_days: int
    buys: list[RankingEntry] = field(default_factory=list)
    sells: list[RankingEntry] = field(default_factory=list)
    # True when the model saw the outcome of ``data_date`` in training: scores then are not a forecast.
    in_sample: bool = False
    warning: str | None = None


def _validated(side: str | None, limit: int | str | None) -> tuple[str | None, int | None]:
    """The one place ``side`` and ``limit`` are checked (API, pages and CLI all come through here)."""
    if side in ("", None):
        side = None
    elif side not in SIDES:
        message = f"side must be one of {', '.join(SIDES)}, got {side!r}."
        raise DomainError(message, details={"side": [message]})
    if limit in ("", None):
        return side, None
    try:
        limit = int(limit)
    except (TypeError, ValueError):
        message = f"limit must be a whole number, got {limit!r}."
        raise DomainError(message, details={"limit": [message]})
    if not 1 <= limit <= MAX_LIMIT:
        message = f"limit must be between 1 and {MAX_LIMIT}, got {limit}."
        raise DomainError(message, details={"limit": [message]})
    return side, limit


def ranking_for(
    *, as_of: date | str | None = None, side: str | None = None, limit: int | None = None
) -> Ranking:
    """Ordered buy list (best first) and sell/short list (worst first) for ``as_of``.

    ``as_of`` defaults to the latest date with data; predictions missing for that date are computed and
    stored. Raises ``ServiceUnavailable`` when there is no champion, the monitoring gate is closed or
    no ticker has the history the model needs on that date; ``DomainError`` (400) for a bad ``side``,
    ``limit`` or a future ``as_of``. ``in_sample`` flags a date whose outcome the model saw in training.
    """
    side, limit = _validated(side, limit)
    requested = predict.parse_as_of(as_of)
    frame, version, data_date = predict.served_predictions(as_of=requested)

    def entries(which: str, ascending: bool) -> list[RankingEntry]:
        if side not in (None, which):
            return []
        chosen = frame[frame["side"] == which].sort_values("rank", ascending=ascending)
        if limit is not None:
            chosen = chosen.head(limit)
        return [
            RankingEntry(
                ticker=str(ticker),
                side=which,
                rank=int(row["rank"]),
                score=float(row["score"]),
                expected_return=float(row["expected_return"]),
                predicted_volatility=predict.optional_float(row["predicted_volatility"]),
                confidence=predict.optional_float(row["confidence"]),
            )
            for ticker, row in chosen.iterrows()
        ]

    return Ranking(
        as_of=requested or data_date,
        data_date=data_date,
        model_version=version,
        horizon_days=version.horizon,
        buys=entries("buy", ascending=True),
        sells=entries("sell", ascending=False),
        in_sample=predict.is_in_sample(version, data_date),
        warning=predict.in_sample_warning(version, data_date),
    )

"""Daily predictions of the champion: computed once per (model version, date), stored, then read.

Every recommendation shown or traded is a stored :class:`Prediction` row, so it can be traced to the
model version and the data date it came from.
"""

from __future__ import annotations

import logging
from datetime import date

import pandas as pd
from django.conf import settings
from django.db import transaction

from market import clock
from mlcore.data.dataset import history_start, load_history
from mlcore.features.indicators import HISTORY_FOR_PREDICTION
from mlcore.models import ModelVersion, Prediction
from mlcore.monitoring import gate
from mlcore.registry import versions as registry
from mlcore.serving import generation as serving_generation
from mlcore.training.scoring import MissingFeatures, NotScorable, score_date
from swingtrade.errors import DomainError, NotFound, ServiceUnavailable, Unprocessable

logger = logging.getLogger("swingtrade.mlcore.predict")

FRAME_COLUMNS = ["score", "expected_return", "predicted_volatility", "confidence", "rank", "side"]


def parse_as_of(value: date | str | None) -> date | None:
    """``as_of`` as a date; a malformed or future date is refused (no prediction can be about it yet)."""
    if value is None or value == "":
        return None
    if isinstance(value, date):
        parsed = value
    else:
        try:
            parsed = date.fromisoformat(str(value).strip())
        except ValueError:
            raise DomainError(f"as_of must be a date as YYYY-MM-DD, got {value!r}.")
    clock.refuse_future(parsed)
    return parsed


def serving_champion() -> ModelVersion:
    version = registry.champion()
    if version is None:
        raise ServiceUnavailable("No champion model: train one (python manage.py train --promote).")
    return version


def seen_until(version: ModelVersion) -> date | None:
    """The last price date the model's training saw (its labels reach that far), else its ``train_end``."""
    end = (version.data_fingerprint or {}).get("end")
    return date.fromisoformat(end) if end else version.train_end


def is_in_sample(version: ModelVersion, data_date: date) -> bool:
    """Whether the model saw (part of) the outcome of ``data_date`` during training.

    On or before ``train_end`` the model was fitted on that very row; after it but before the last
    price it saw, the row's forward return overlaps the labels it was fitted on. Only dates on or after
    that last price are genuine out-of-sample forecasts.
    """
    last_seen = seen_until(version)
    return last_seen is not None and data_date < last_seen


def in_sample_warning(version: ModelVersion, data_date: date) -> str | None:
    if not is_in_sample(version, data_date):
        return None
    return (
        f"In-sample: model version {version.pk} was trained on prices up to {seen_until(version)}, "
        f"so it already saw what happened after {data_date.isoformat()}. These scores are not a "
        "forecast and overstate the model's skill; use them only to inspect the model."
    )


def data_date_for(as_of: date | None) -> date:
    """The latest date with stored prices on or before ``as_of`` (default: the latest overall)."""
    from market import selectors

    latest = selectors.latest_bar_date()
    if latest is None:
        raise NotFound("No stored prices.")
    if as_of is None or as_of >= latest:
        return latest
    # The last few sessions before as_of always hold the previous stored bar unless data is missing.
    window = selectors.price_panel(start=history_start(end=as_of, trading_days=10), end=as_of)
    if window.empty:
        raise NotFound(f"No stored prices on or before {as_of.isoformat()}.")
    return window.index.max().date()


def _stored(version: ModelVersion, data_date: date) -> pd.DataFrame:
    rows = Prediction.objects.filter(model_version=version, as_of=data_date).values("ticker", *FRAME_COLUMNS)
    frame = pd.DataFrame.from_records(list(rows), columns=["ticker", *FRAME_COLUMNS])
    return frame.set_index("ticker").sort_values("rank")


def optional_float(value) -> float | None:
    return None if pd.isna(value) else float(value)


def predictions_compute(*, version: ModelVersion, data_date: date) -> pd.DataFrame:
    """Score every ticker with a price on ``data_date`` from history up to it, and store the rows."""
    bundle = registry.load_bundle(version)
    panels = load_history(trading_days=HISTORY_FOR_PREDICTION, end=data_date)
    try:
        frame = score_date(
            bundle,
            panels.prices,
            panels.sectors,
            pd.Timestamp(data_date),
            side_fraction=settings.MLCORE_SIDE_FRACTION,
        )
    except (MissingFeatures, NotScorable) as exc:
        # The date lacks the history the model needs: no retry will change that (422, not 503).
        raise Unprocessable(f"Model version {version.pk} cannot score {data_date.isoformat()}: {exc}.")
    rows = [
        Prediction(
            model_version=version,
            as_of=data_date,
            ticker=ticker,
            score=float(r["score"]),
            expected_return=float(r["expected_return"]),
            predicted_volatility=optional_float(r["predicted_volatility"]),
            confidence=optional_float(r["confidence"]),
            rank=int(r["rank"]),
            side=r["side"],
        )
        for ticker, r in frame.iterrows()
    ]
    with transaction.atomic():
        # A concurrent request may have stored the same date: the unique constraint keeps one copy.
        Prediction.objects.bulk_create(rows, ignore_conflicts=True)
        serving_generation.invalidate("predictions stored")  # bulk_create sends no post_save
    logger.info(
        "predictions stored",
        extra={"model_version": version.pk, "as_of": data_date.isoformat(), "tickers": len(rows)},
    )
    return _stored(version, data_date)


def predictions_for(*, as_of: date | str | None = None, version: ModelVersion | None = None):
    """(frame, version, data_date): stored predictions for the date, computed first when missing."""
    requested = parse_as_of(as_of)  # bad input is a 400 whatever the model state
    version = version or serving_champion()
    data_date = data_date_for(requested)
    frame = _stored(version, data_date)
    if frame.empty:
        frame = predictions_compute(version=version, data_date=data_date)
    return frame, version, data_date


def served_predictions(*, as_of: date | str | None = None) -> tuple[pd.DataFrame, ModelVersion, date]:
    """(frame, champion, data_date) for ``as_of``: what users and portfolios are served, gate permitting.

    The order of refusals is the contract: a bad ``as_of`` (400), no champion (503), a closed gate (503).
    """
    requested = parse_as_of(as_of)
    version = serving_champion()
    gate.assert_open()  # 503 while monitoring blocks the serving model
    return predictions_for(as_of=requested, version=version)


def predictions_frame(*, as_of: date | str | None = None) -> tuple[pd.DataFrame, ModelVersion]:
    """The champion's predictions for ``as_of`` (default: the latest date with data), gate permitting.

    Returns
    -------
    (DataFrame, ModelVersion)
        Index ``ticker``; columns ``score``, ``expected_return`` (log return over the horizon relative
        to the universe, calibrated out of sample; shrink by ``ModelVersion.reliability``),
        ``predicted_volatility`` (over the horizon), ``confidence``, ``rank`` (1 = best), ``side``.
    """
    frame, version, _ = served_predictions(as_of=as_of)
    return frame, version

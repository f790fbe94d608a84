"""The market data a replay reads: loaded once, then only ever seen up to the replay's current day.

Built from the tidy long frame of :mod:`market.sources` (the database through
``market.selectors.bars_frame(end=…)``, or a CSV file through ``market.sources.csv_file``), so a replay
of the stored bars and a replay of a file are the same computation. ``until(day)`` is the only way the
engine and the strategies read prices: a slice ending on ``day``; nothing later can leak in.

Two views of the same bars:

- ``raw``: prices as traded (open/high/low/close) with the day's ``dividend`` per share and
  ``split_factor``; orders are priced, filled and booked on these, splits change share counts and
  dividends are credited as cash — what a broker account sees;
- ``panels``: the model's adjusted panels (:func:`mlcore.data.dataset.panels_from_frame`) for features,
  labels and the risk model, exactly what the product computes them from.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from mlcore.data.dataset import Panels, panels_from_frame
from mlcore.features.indicators import compute_features
from mlcore.training.walkforward import features_until
from portfolio.orders import fill
from portfolio.proposals import VOL_WINDOW

RAW_FIELDS = ("open", "high", "low", "close", "dividend", "split_factor")


class _WholeFeatures:
    """The model's features of the whole data, computed on first use and shared by every cut of it."""

    def __init__(self, panels: Panels) -> None:
        self._panels = panels
        self._frame: pd.DataFrame | None = None

    def frame(self) -> pd.DataFrame:
        if self._frame is None:
            self._frame = compute_features(self._panels.prices, self._panels.sectors)
        return self._frame


@dataclass
class MarketData:
    """Wide frames (DatetimeIndex ``date`` × ticker) of the whole period; read through :meth:`until`."""

    raw: dict[str, pd.DataFrame]
    panels: Panels
    sectors: dict[str, str] = field(default_factory=dict)
    source: str = "database"
    volatility: pd.DataFrame | None = None  # the order engine's daily volatility, known at each close
    whole_features: _WholeFeatures | None = field(default=None, repr=False)

    @classmethod
    def from_frame(
        cls, frame: pd.DataFrame, *, sectors: dict[str, str] | None = None, source: str
    ) -> MarketData:
        frame = frame.copy()
        frame["date"] = pd.to_datetime(frame["date"]).astype("datetime64[ns]")
        if frame.empty:
            raise ValueError("no bars to replay")
        if "open" not in frame or frame["open"].isna().all():
            # Close-only files: every order is priced and filled on closes (docs/replay.md).
            for column in ("open", "high", "low"):
                frame[column] = frame["close"]
        for column, default in (("dividend", 0.0), ("split_factor", 1.0)):
            if column not in frame:
                frame[column] = default
            frame[column] = frame[column].fillna(default)
        frame["adj_close"] = frame["adj_close"].fillna(frame["close"])
        wide = frame.pivot_table(index="date", columns="ticker", values=list(RAW_FIELDS), aggfunc="last")
        raw = {name: wide[name].astype(np.float64).sort_index() for name in RAW_FIELDS}
        for name in ("dividend",):
            raw[name] = raw[name].fillna(0.0)
        raw["split_factor"] = raw["split_factor"].fillna(1.0)
        sectors = dict(sectors or {})
        panels = panels_from_frame(frame, sectors)
        # Rolling windows ending at each row: the value on day d depends on bars up to d only, so it is
        # computed once here and cut with the rest by ``until`` (the look-ahead test checks it).
        prices = {k: v for k, v in panels.prices.items() if k in ("open", "high", "low", "close")}
        volatility = fill.daily_volatility(prices, VOL_WINDOW)
        return cls(
            raw=raw,
            panels=panels,
            sectors=sectors,
            source=source,
            volatility=volatility,
            whole_features=_WholeFeatures(panels),
        )

    @classmethod
    def from_database(cls, *, start: dt.date | None = None, end: dt.date) -> MarketData:
        from market import selectors

        frame = selectors.bars_frame(start=start, end=end)
        return cls.from_frame(frame, sectors=selectors.ticker_sectors(), source="database")

    @classmethod
    def from_csv(
        cls, path: str | Path, *, start: dt.date | None = None, end: dt.date | None = None
    ) -> MarketData:
        from market.sources import csv_file, sample

        frame = csv_file.read_csv(path)
        frame = frame[_in_window(frame["date"], start, end)]
        sectors = dict(sample.read_constituents()[["ticker", "sector"]].itertuples(index=False, name=None))
        return cls.from_frame(frame, sectors=sectors, source=Path(path).name)

    @property
    def sessions(self) -> pd.DatetimeIndex:
        return self.raw["close"].index

    def until(self, day: dt.date | pd.Timestamp) -> MarketData:
        """The same data cut after ``day``: every price a decision on ``day`` may use."""
        cut = pd.Timestamp(day)
        prices = {name: frame.loc[:cut] for name, frame in self.panels.prices.items()}
        return MarketData(
            raw={name: frame.loc[:cut] for name, frame in self.raw.items()},
            panels=Panels(prices=prices, sectors=self.panels.sectors),
            sectors=self.sectors,
            source=self.source,
            volatility=None if self.volatility is None else self.volatility.loc[:cut],
            whole_features=self.whole_features,
        )

    def model_features(self) -> pd.DataFrame | None:
        """The model's features (``mlcore.features.compute_features``) up to this data's last session.

        Computed once on the whole period and cut (:func:`mlcore.training.walkforward.features_until`):
        every feature at ``t`` uses bars ``<= t``, so the cut equals features computed on the bars up to
        it. None when this data was built without them.
        """
        if self.whole_features is None:
            return None
        return features_until(self.whole_features.frame(), self.sessions[-1])

    def bars(self) -> Bars:
        return Bars(self)

    def fingerprint(self) -> dict:
        """Tickers, dates and a sha256 of every raw value: what identifies the data a replay saw."""
        digest = hashlib.sha256()
        for name in RAW_FIELDS:
            frame = self.raw[name]
            digest.update(name.encode())
            digest.update("|".join(map(str, frame.columns)).encode())
            digest.update(frame.index.asi8.tobytes())
            digest.update(np.ascontiguousarray(frame.to_numpy(dtype=np.float64)).tobytes())
        index = self.sessions
        return {
            "source": self.source,
            "n_tickers": int(self.raw["close"].shape[1]),
            "start": index.min().date().isoformat(),
            "end": index.max().date().isoformat(),
            "n_sessions": len(index),
            "sha256": digest.hexdigest(),
        }


def _in_window(dates: pd.Series, start: dt.date | None, end: dt.date | None) -> pd.Series:
    keep = pd.Series(True, index=dates.index)
    if start is not None:
        keep &= pd.to_datetime(dates) >= pd.Timestamp(start)
    if end is not None:
        keep &= pd.to_datetime(dates) <= pd.Timestamp(end)
    return keep


class Bars:
    """Fast access to one session's raw values (the engine reads every session of every ticker).

    Besides the raw fields, ``mark``: the last close known at the day (the day's close, or the previous
    one when the ticker has no bar that session — a gap, or a ticker whose data ends early), at which a
    position is valued. It reads only bars up to the day.
    """

    def __init__(self, data: MarketData) -> None:
        close = data.raw["close"]
        self.tickers = [str(t) for t in close.columns]
        self.column = {t: i for i, t in enumerate(self.tickers)}
        self.row = {d: i for i, d in enumerate(close.index)}
        self.values = {name: data.raw[name].to_numpy(dtype=np.float64) for name in RAW_FIELDS}
        self.values["mark"] = close.ffill().to_numpy(dtype=np.float64)

    def on(self, day: pd.Timestamp) -> dict[str, dict[str, float]]:
        """``{field: {ticker: value}}`` of ``day``'s bars (NaN where the ticker has no bar; ``mark``: the
        last close known)."""
        i = self.row[day]
        return {
            name: dict(zip(self.tickers, values[i].tolist(), strict=True))
            for name, values in self.values.items()
        }

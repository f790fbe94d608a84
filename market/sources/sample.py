"""The embedded sample: 50 S&P 500 tickers, 2016-01-04..2021-04-21, and the 2021 constituents list.

Real Alpha Vantage daily bars (MIT-licensed repository ``Pooksoft/PooksoftSP500EquityPriceDataSet``),
shipped as package data so a fresh clone works with no network. See ``market/data/README.md``
for the quirks (survivorship bias, raw prices with split factors, BRK.B spelling).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import pandas as pd

from market.columns import ROW_PROBLEM_COLUMNS
from market.sources import csv_file

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
SAMPLE_PRICES = DATA_DIR / "sp500_sample50_daily_2016_2021.csv.gz"
CONSTITUENTS = DATA_DIR / "sp500_constituents_2021.csv"


@lru_cache(maxsize=1)
def _sample_frame() -> pd.DataFrame:
    frame = csv_file.read_csv(SAMPLE_PRICES)
    # The shipped file has no unreadable row: only the tidy columns are kept.
    return frame.drop(columns=list(ROW_PROBLEM_COLUMNS))


def read_sample_frame() -> pd.DataFrame:
    """The embedded sample as a tidy long frame (66,700 rows, sorted by ticker then date).

    Returns a fresh copy each call (the parsed file is cached), so callers may mutate it.
    """
    return _sample_frame().copy()


@lru_cache(maxsize=1)
def _constituents() -> pd.DataFrame:
    frame = pd.read_csv(CONSTITUENTS, dtype=str, keep_default_na=False)
    frame["ticker"] = frame["ticker"].str.strip().str.upper()
    return frame[["ticker", "name", "sector"]]


def read_constituents() -> pd.DataFrame:
    """The S&P 500 list of April 2021: ``ticker, name, sector`` (GICS sector), 505 rows."""
    return _constituents().copy()

"""Column names of a daily bar: the one list behind the tidy frames and the ``DailyBar`` model.

Pure constants (no Django, no pandas): :mod:`market.sources` must stay free of Django, and
:mod:`market.models` should not need pandas, yet both name the same columns in the same order.
"""

from __future__ import annotations

#: Prices of a bar, as traded (``adj_close``: as the vendor adjusts).
PRICE_COLUMNS: tuple[str, ...] = ("open", "high", "low", "close", "adj_close")
#: Values of a bar that an ingestion writes and compares; the order is the column order everywhere.
BAR_VALUE_FIELDS: tuple[str, ...] = (*PRICE_COLUMNS, "volume", "dividend", "split_factor")
#: The tidy long frame of every source (see :mod:`market.sources`).
TIDY_COLUMNS: tuple[str, ...] = ("date", "ticker", *BAR_VALUE_FIELDS)
#: Optional per-row columns a source may add beside the tidy ones: ``line`` (1 = the header),
#: ``parse_reason`` (a reject code of :mod:`market.validation`, ``None`` when the row was read) and
#: ``parse_detail`` (the bad value, for the issue row).
ROW_PROBLEM_COLUMNS: tuple[str, ...] = ("line", "parse_reason", "parse_detail")

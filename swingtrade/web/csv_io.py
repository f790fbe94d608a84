"""CSV files the investor downloads or uploads, in the conventions of their language.

French spreadsheets expect ``;`` between fields and a decimal comma; English ones ``,`` and a decimal
point. Export writes what the pages show (positions, trades, proposals); import reads trades, checks
every row and reports every problem before anything is recorded (``parse_trades`` is pure: no database).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _

TRADE_COLUMNS = ("date", "ticker", "side", "quantity", "price", "fees")
SIDES = {"buy", "sell", "short", "cover"}
# Words a French file may use for the side.
SIDE_ALIASES = {"achat": "buy", "vente": "sell", "vente à découvert": "short", "rachat": "cover"}
MAX_IMPORT_ROWS = 1000


def dialect() -> tuple[str, str]:
    """(field separator, decimal separator) of the active language."""
    lang = translation.get_language() or "fr"
    return (";", ",") if lang.startswith("fr") else (",", ".")


def _cell(value: Any, decimal_sep: str) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float | Decimal):
        text = f"{value:.6f}".rstrip("0").rstrip(".") if isinstance(value, float) else str(value)
        return text.replace(".", decimal_sep)
    return str(value)


def write_rows(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """A CSV text (header first) with the language's separators; dates stay ISO (unambiguous)."""
    sep, decimal_sep = dialect()
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=sep, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([_cell(v, decimal_sep) for v in row])
    return buffer.getvalue()


@dataclass
class TradeRow:
    line: int
    values: dict[str, Any] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)


def _decimal(text: str) -> Decimal:
    cleaned = text.strip().replace("\u202f", "").replace("\xa0", "").replace(" ", "").replace(",", ".")
    return Decimal(cleaned)


def parse_trades(text: str, *, known_tickers: set[str]) -> list[TradeRow]:
    """Rows of a trades CSV (``;`` or ``,`` separated, detected), each with its values or its errors.

    Columns: date (YYYY-MM-DD or DD/MM/YYYY), ticker, side (buy/sell/short/cover or achat/vente…),
    quantity (whole shares), price, fees (optional). Raises ``ValueError`` for a file that is not
    such a CSV at all (no header, missing columns, too many rows).
    """
    text = text.lstrip("\ufeff")
    first = text.splitlines()[0] if text.strip() else ""
    if not first:
        raise ValueError(_("The file is empty."))
    sep = ";" if first.count(";") >= first.count(",") else ","
    reader = csv.DictReader(io.StringIO(text), delimiter=sep)
    header = [h.strip().lower() for h in reader.fieldnames or []]
    missing = [c for c in TRADE_COLUMNS[:5] if c not in header]
    if missing:
        raise ValueError(
            _("Missing columns: %(cols)s (expected %(all)s).")
            % {"cols": ", ".join(missing), "all": sep.join(TRADE_COLUMNS)}
        )
    rows = []
    for number, raw in enumerate(reader, start=2):
        if number - 1 > MAX_IMPORT_ROWS:
            raise ValueError(_("At most %(n)d trades per file.") % {"n": MAX_IMPORT_ROWS})
        raw = {(k or "").strip().lower(): (v or "").strip() for k, v in raw.items()}
        if not any(raw.values()):
            continue
        rows.append(_parse_row(number, raw, known_tickers))
    if not rows:
        raise ValueError(_("The file has a header but no trade."))
    return rows


def _parse_row(number: int, raw: dict[str, str], known_tickers: set[str]) -> TradeRow:
    row = TradeRow(line=number)
    day = raw.get("date", "")
    try:
        if "/" in day:
            d, m, y = day.split("/")
            row.values["traded_on"] = date(int(y), int(m), int(d))
        else:
            row.values["traded_on"] = date.fromisoformat(day)
    except ValueError:
        row.errors.append(_("date %(v)r is not a date (YYYY-MM-DD or DD/MM/YYYY)") % {"v": day})
    symbol = raw.get("ticker", "").upper()
    if symbol not in known_tickers:
        row.errors.append(_("unknown stock %(v)r") % {"v": symbol})
    row.values["ticker"] = symbol
    side = raw.get("side", "").lower()
    side = SIDE_ALIASES.get(side, side)
    if side not in SIDES:
        row.errors.append(_("side %(v)r must be buy, sell, short or cover") % {"v": raw.get("side", "")})
    row.values["side"] = side
    for name, whole in (("quantity", True), ("price", False), ("fees", False)):
        text = raw.get(name, "")
        if name == "fees" and not text:
            row.values["fees"] = None
            continue
        try:
            value = _decimal(text)
        except InvalidOperation:
            row.errors.append(_("%(col)s %(v)r is not a number") % {"col": name, "v": text})
            continue
        if value < 0 or (value == 0 and name != "fees") or (whole and value != value.to_integral_value()):
            row.errors.append(_("%(col)s %(v)s is not allowed") % {"col": name, "v": text})
        row.values[name] = value
    return row

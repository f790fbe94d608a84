"""CSV files the investor downloads or uploads, in the conventions of their language.

French spreadsheets expect ``;`` between fields and a decimal comma; English ones ``,`` and a decimal
point. Export writes what the pages show (positions, trades, proposals); import reads trades, checks
every row and reports every problem before anything is recorded (``parse_trades`` is pure: no database).

Currencies of an imported row. The price is in the stock's currency. The fees are in the stock's currency
too, unless the file has the trades export's ``base_currency`` column: an export of a euro portfolio holding
a US stock writes its fees (and taxes, cash) in euros, with the ``fx_rate`` and ``fx_rate_on`` the fill
was booked at. :func:`check_currencies` turns such fees back into the stock's currency at the rate the new
booking will use, so that re-importing an export gives the same books, and refuses a row it cannot read
that way (a price or fee currency that is neither the stock's nor the portfolio's, or a rate that is no
longer the one stored for that day).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _

TRADE_COLUMNS = ("date", "ticker", "side", "quantity", "price", "fees")
SIDES = {"buy", "sell", "short", "cover"}
# Words a French file may use for the side.
SIDE_ALIASES = {"achat": "buy", "vente": "sell", "vente à découvert": "short", "rachat": "cover"}
MAX_IMPORT_ROWS = 1000
# Trade money columns keep 6 decimals (portfolio.models.MONEY): fees are rounded to this when booked.
FEE_QUANTUM = Decimal("0.000001")

#: The rate a fill of that stock currency, portfolio currency and date is booked at: (rate, date of the
#: fixing; None when the currencies are the same). Raises ``ValueError(reason)`` when none is stored.
BookingRate = Callable[[str, str, date], tuple[Decimal, date | None]]


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
    """One line of an imported file: ``values`` as written (what the preview shows), or its ``errors``."""

    line: int
    values: dict[str, Any] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    # The trades export's optional columns: the currency of the price, of the fees, and the conversion.
    currency: str = ""
    base_currency: str = ""
    fx_rate: Decimal | None = None
    fx_rate_on: date | None = None
    # The fees in the stock's currency, as ``trade_record`` takes them (set by ``check_currencies``).
    fees_in_stock_currency: Decimal | None = None
    # What the preview prints the price and the fees as written in (set by ``check_currencies``).
    price_currency: str = ""
    fees_currency: str = ""

    def trade_values(self) -> dict[str, Any]:
        """The keyword arguments of ``portfolio.services.trade_record`` for this row."""
        return {**self.values, "fees": self.fees_in_stock_currency}


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
    row.fees_in_stock_currency = row.values.get("fees")
    _parse_currency_columns(row, raw)
    return row


def _parse_currency_columns(row: TradeRow, raw: dict[str, str]) -> None:
    """The export's ``currency``, ``base_currency``, ``fx_rate`` and ``fx_rate_on`` (each optional)."""
    for name in ("currency", "base_currency"):
        code = raw.get(name, "").upper()
        if code and not (len(code) == 3 and code.isalpha() and code.isascii()):
            row.errors.append(_("%(col)s %(v)r is not a currency code") % {"col": name, "v": raw[name]})
        setattr(row, name, code)
    text = raw.get("fx_rate", "")
    if text:
        try:
            row.fx_rate = _decimal(text)
        except InvalidOperation:
            row.fx_rate = None
        if row.fx_rate is None or not row.fx_rate.is_finite() or row.fx_rate <= 0:
            row.errors.append(_("%(col)s %(v)r is not a number") % {"col": "fx_rate", "v": text})
            row.fx_rate = None
    day = raw.get("fx_rate_on", "")
    if day:
        try:
            row.fx_rate_on = date.fromisoformat(day)
        except ValueError:
            row.errors.append(_("date %(v)r is not a date (YYYY-MM-DD or DD/MM/YYYY)") % {"v": day})


def fees_before_conversion(fees: Decimal, rate: Decimal) -> Decimal:
    """The fee in the stock's currency that the booking turns into ``fees`` (portfolio currency) at ``rate``.

    The booking rounds ``fee x rate`` to 6 decimals; of the fees in 6 decimals next to ``fees / rate`` the
    one landing exactly on ``fees`` is taken (one always does when ``rate <= 1``, e.g. dollars into euros),
    else the closest (a millionth of a unit off at most).
    """
    nearest = (fees / rate).quantize(FEE_QUANTUM, rounding=ROUND_HALF_UP)
    candidates = [c for c in (nearest, nearest - FEE_QUANTUM, nearest + FEE_QUANTUM) if c >= 0]

    def booked(fee: Decimal) -> Decimal:
        return (fee * rate).quantize(FEE_QUANTUM, rounding=ROUND_HALF_UP)

    return min(candidates, key=lambda fee: abs(booked(fee) - fees))


def check_currencies(
    rows: Iterable[TradeRow],
    *,
    base_currency: str,
    stock_currencies: dict[str, str],
    booking_rate: BookingRate,
) -> None:
    """Check each row's currencies against its stock and the portfolio; set its fees in the stock's currency.

    A row's error says why it cannot be read: a price currency that is not the stock's; fees in a
    currency that is neither the stock's nor the portfolio's (``base_currency``); no stored rate for a
    stock the portfolio converts; or an exported ``fx_rate``/``fx_rate_on`` that differs from the rate the
    new booking would use (the books would not be the exported ones).
    """
    base = base_currency.upper()
    rates: dict[
        tuple[str, date], tuple[Decimal, date | None] | str
    ] = {}  # one look-up per stock currency and day
    for row in rows:
        symbol = row.values.get("ticker", "")
        traded_on = row.values.get("traded_on")
        stock = stock_currencies.get(symbol, "").upper()
        if not stock or traded_on is None:
            continue  # unknown stock or date: already an error of the row
        if row.currency and row.currency != stock:
            row.errors.append(
                _("price in %(given)s, but %(ticker)s trades in %(currency)s")
                % {"given": row.currency, "ticker": symbol, "currency": stock}
            )
            continue
        fees_currency = row.base_currency or stock
        row.price_currency, row.fees_currency = stock, fees_currency
        if fees_currency not in (stock, base):
            row.errors.append(
                _(
                    "fees in %(given)s: neither the currency of %(ticker)s (%(currency)s) "
                    "nor the portfolio's (%(base)s)"
                )
                % {"given": fees_currency, "ticker": symbol, "currency": stock, "base": base}
            )
            continue
        if stock == base:
            continue
        if (stock, traded_on) not in rates:
            try:
                rates[stock, traded_on] = booking_rate(stock, base, traded_on)
            except ValueError as exc:
                rates[stock, traded_on] = str(exc)
        found = rates[stock, traded_on]
        if isinstance(found, str):
            row.errors.append(found)
            continue
        rate, fixed_on = found
        if fees_currency != base:
            continue  # fees in the stock's currency: booked as the price is
        if row.fx_rate is not None and (
            row.fx_rate != rate or (row.fx_rate_on and row.fx_rate_on != fixed_on)
        ):
            row.errors.append(
                _(
                    "exported at %(old)s (rate of %(old_on)s) but %(new)s (rate of %(new_on)s) "
                    "is stored now: the books would differ; remove fx_rate to book at the stored rate"
                )
                % {
                    "old": row.fx_rate.normalize(),
                    "old_on": row.fx_rate_on or "?",
                    "new": rate.normalize(),
                    "new_on": fixed_on,
                }
            )
            continue
        fees = row.values.get("fees")
        if fees is not None:
            row.fees_in_stock_currency = fees_before_conversion(fees, rate)

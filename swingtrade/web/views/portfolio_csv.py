"""CSV pages of a portfolio: export of positions, trades and proposals; import of trades with a preview.

Import is two steps: the uploaded file is checked row by row and shown (nothing recorded); confirming
re-reads the same text and records every trade through ``services.trade_record`` in one transaction:
one refused trade and none is recorded.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from market.models import Ticker
from portfolio import selectors, services
from portfolio.services.trades import fill_conversion
from swingtrade.errors import DomainError
from swingtrade.web import csv_io, presenting
from swingtrade.web.views.portfolios import _portfolio_or_404

MAX_UPLOAD_BYTES = 512 * 1024


def _positions(portfolio: Any) -> tuple[list[str], list[list[Any]]]:
    valuation = selectors.portfolio_valuation(portfolio)
    header = [
        "ticker",
        "quantity",
        "average_cost",  # this and the next three in the stock's currency
        "price",
        "price_date",
        "market_value",
        "unrealised_pnl",
        "weight",  # of the equity in base_currency; empty without a rate
        "currency",
        "base_currency",  # of the *_base columns (the portfolio's)
        "fx_rate",  # base_currency per unit of currency, of the price date
        "fx_rate_on",
        "average_cost_base",
        "market_value_base",
        "unrealised_pnl_base",
    ]
    rows = [
        [
            p.ticker,
            p.quantity,
            p.average_cost,
            p.price,
            p.price_date,
            p.market_value,
            p.unrealised_pnl,
            p.weight,
            p.currency,
            valuation.base_currency,
            p.fx_rate,
            p.fx_rate_on,
            p.average_cost_base,
            p.market_value_base,
            p.unrealised_pnl_base,
        ]
        for p in valuation.positions
    ]
    return header, rows


def _trades(portfolio: Any) -> tuple[list[str], list[list[Any]]]:
    header = [
        "date",
        "ticker",
        "side",
        "quantity",
        "price",
        "fees",
        "transaction_tax",
        "capital_gains_tax",
        "realised_pnl",
        "cash_after",
        "currency",  # of the price
        "base_currency",  # of fees, taxes, realised P&L and cash (the portfolio's)
        "fx_rate",  # base_currency per unit of currency, applied to the fill
        "fx_rate_on",
    ]
    rows = [
        [
            t.traded_on,
            t.ticker.symbol,
            t.side,
            t.quantity,
            t.price,
            t.fees,
            t.transaction_tax,
            t.capital_gains_tax,
            t.realised_pnl,
            t.cash_after,
            t.ticker.currency,
            portfolio.base_currency,
            t.fx_rate,
            t.fx_rate_on,
        ]
        for t in selectors.trades_of(portfolio).order_by("traded_on", "id")
    ]
    return header, rows


def _proposals(portfolio: Any) -> tuple[list[str], list[list[Any]]]:
    header = [
        "as_of",
        "ticker",
        "advice",
        "side",
        "order_type",
        "quantity",
        "price",
        "valid_until",
        "stop_loss",
        "take_profit",
        "fill_probability",
        "expected_gross",
        "expected_costs",
        "expected_net",
        "costs_money",
        "currency",
        "status",
    ]
    rows = []
    proposals = list(selectors.proposals_of(portfolio).order_by("-as_of", "id"))
    for p, d in zip(proposals, presenting.proposal_displays(proposals, portfolio), strict=True):
        rows.append(
            [
                p.as_of,
                p.ticker.symbol,
                d.sentence,
                p.side,
                p.order_type,
                p.quantity,
                d.price,
                p.valid_until,
                p.stop_loss,
                p.take_profit,
                p.fill_probability,
                p.expected_gross_return,
                p.expected_cost_return,
                p.expected_net_return,
                d.costs_total,
                d.currency,
                p.status,
            ]
        )
    return header, rows


EXPORTS = {"positions": _positions, "trades": _trades, "proposals": _proposals}


@login_required
def portfolio_export(request: HttpRequest, portfolio_id: int, what: str) -> HttpResponse:
    portfolio = _portfolio_or_404(request, portfolio_id)
    if what not in EXPORTS:
        raise Http404(_("Nothing to export under that name."))
    header, rows = EXPORTS[what](portfolio)
    response = HttpResponse(csv_io.write_rows(header, rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{portfolio.pk}-{what}.csv"'
    return response


class ImportForm(forms.Form):
    file = forms.FileField(required=False, label=gettext_lazy("CSV file"))
    content = forms.CharField(required=False, widget=forms.HiddenInput)


@login_required
def trades_import(request: HttpRequest, portfolio_id: int) -> HttpResponse:
    portfolio = _portfolio_or_404(request, portfolio_id)
    context: dict[str, Any] = {"portfolio": portfolio, "form": ImportForm(), "columns": csv_io.TRADE_COLUMNS}
    if request.method != "POST":
        return render(request, "portfolio/trades_import.html", context)
    form = ImportForm(request.POST, request.FILES)
    text, error = _uploaded_text(form)
    rows: list[csv_io.TradeRow] = []
    if error is None:
        try:
            currencies = dict(Ticker.objects.values_list("symbol", "currency"))
            rows = csv_io.parse_trades(text, known_tickers=set(currencies))
        except ValueError as exc:
            error = str(exc)
        else:
            csv_io.check_currencies(
                rows,
                base_currency=portfolio.base_currency,
                stock_currencies=currencies,
                booking_rate=_booking_rate,
            )
    if error is None and "confirm" in request.POST and not any(r.errors for r in rows):
        try:
            recorded = _record_all(portfolio, rows)
        except DomainError as exc:
            error = exc.message
        else:
            messages.success(request, _("%(n)d trades imported.") % {"n": recorded})
            return redirect("portfolio:detail", portfolio_id=portfolio.pk)
    context.update(rows=rows, error=error, content=text, valid=bool(rows) and not any(r.errors for r in rows))
    return render(request, "portfolio/trades_import.html", context, status=400 if error else 200)


def _booking_rate(currency: str, base: str, traded_on: date) -> tuple[Decimal, date | None]:
    """The rate ``trade_record`` will book the fill at; its refusal (no rate stored) as a ValueError."""
    try:
        conversion = fill_conversion(currency=currency, base=base, traded_on=traded_on)
    except DomainError as exc:
        raise ValueError(exc.message) from exc
    return conversion.rate, conversion.on


def _uploaded_text(form: ImportForm) -> tuple[str, str | None]:
    if not form.is_valid():
        return "", _("The upload could not be read.")
    upload = form.cleaned_data.get("file")
    if upload is not None:
        if upload.size > MAX_UPLOAD_BYTES:
            return "", _("The file is larger than 512 kB.")
        try:
            return upload.read().decode("utf-8-sig"), None
        except UnicodeDecodeError:
            return "", _("The file is not UTF-8 text.")
    content = form.cleaned_data.get("content") or ""
    return (content, None) if content.strip() else ("", _("Choose a CSV file."))


@transaction.atomic
def _record_all(portfolio: Any, rows: list[csv_io.TradeRow]) -> int:
    for row in sorted(rows, key=lambda r: (r.values["traded_on"], r.line)):
        try:
            services.trade_record(portfolio=portfolio, **row.trade_values())
        except DomainError as exc:
            exc.message = _("Line %(line)d: %(reason)s Nothing was imported.") % {
                "line": row.line,
                "reason": exc.message,
            }
            raise
    return len(rows)

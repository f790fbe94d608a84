"""Server-rendered pages of the portfolio app: the user's portfolios, trades and order proposals.

Every page reads through ``portfolio.selectors`` (someone else's portfolio is a 404) and every write
goes through ``portfolio.services``; a refusal of the service is shown on the page, inline on the form
it came from, and changes nothing.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from market.selectors import latest_bar_date
from portfolio import selectors, services
from portfolio.models import OrderProposal, Portfolio, Side
from swingtrade import charts
from swingtrade.errors import DomainError, NotFound
from swingtrade.pages import add_domain_error

RECENT_TRADES = 50


# --- forms ------------------------------------------------------------------------------------------


class PortfolioForm(forms.Form):
    name = forms.CharField(max_length=100)
    cash = forms.DecimalField(
        min_value=Decimal("0"), max_digits=18, decimal_places=2, initial=Decimal("100000")
    )
    base_currency = forms.CharField(max_length=3, initial="USD")
    cost_profile = forms.ModelChoiceField(queryset=None, empty_label=None)
    allow_short = forms.BooleanField(required=False, help_text="Shorting is opt-in.")
    max_position_weight = forms.FloatField(
        min_value=0.0, max_value=10.0, initial=0.20, help_text="Fraction of equity per position."
    )
    max_gross_exposure = forms.FloatField(
        min_value=0.0, max_value=10.0, initial=1.0, help_text="Above 1 needs shorting or a cash margin."
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["cost_profile"].queryset = selectors.cost_profiles_for(user).order_by(
            "-is_preset", "name"
        )


class TradeForm(forms.Form):
    """What the user executed at the broker; the service decides whether it can be."""

    ticker = forms.CharField(max_length=16)
    side = forms.ChoiceField(choices=Side.choices)
    quantity = forms.DecimalField(max_digits=18, decimal_places=6)
    price = forms.DecimalField(max_digits=18, decimal_places=6)
    traded_on = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    fees = forms.DecimalField(
        max_digits=18, decimal_places=2, required=False, help_text="Empty: from the cost profile."
    )


# --- pages ------------------------------------------------------------------------------------------


def _portfolio_or_404(request: HttpRequest, portfolio_id: int) -> Portfolio:
    try:
        return selectors.portfolio_get(user=request.user, portfolio_id=portfolio_id)
    except NotFound as exc:
        raise Http404(exc.message)


@login_required
def portfolio_list(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        form = PortfolioForm(request.POST, user=request.user)
        if form.is_valid():
            try:
                portfolio = services.portfolio_create(owner=request.user, **form.cleaned_data)
            except DomainError as exc:
                add_domain_error(form, exc)
            else:
                messages.success(request, f"Portfolio {portfolio.name!r} created.")
                return redirect("portfolio:detail", portfolio_id=portfolio.pk)
    else:
        form = PortfolioForm(user=request.user)
    rows = [(p, selectors.portfolio_valuation(p)) for p in selectors.portfolios_for(request.user)]
    return render(request, "portfolio/portfolio_list.html", {"rows": rows, "form": form})


@login_required
def portfolio_detail(request: HttpRequest, portfolio_id: int) -> HttpResponse:
    portfolio = _portfolio_or_404(request, portfolio_id)
    return _render_detail(request, portfolio, trade_form=TradeForm(initial={"traded_on": latest_bar_date()}))


def _render_detail(
    request: HttpRequest, portfolio: Portfolio, *, trade_form: TradeForm, status: int = 200
) -> HttpResponse:
    valuation = selectors.portfolio_valuation(portfolio, today=timezone.localdate())
    proposals = list(selectors.proposals_of(portfolio))
    latest_as_of = max((p.as_of for p in proposals), default=None)
    current = [p for p in proposals if p.as_of == latest_as_of]
    selected = _selected_proposal(request, current)
    context = {
        "portfolio": portfolio,
        "valuation": valuation,
        "positions": sorted(valuation.positions, key=lambda p: -abs(p.market_value)),
        "weights_chart": charts.weights_bar_chart({p.ticker: p.weight for p in valuation.positions}),
        "trades": selectors.trades_of(portfolio).order_by("-traded_on", "-id")[:RECENT_TRADES],
        "trade_form": trade_form,
        "proposals": current,
        "proposals_as_of": latest_as_of,
        "older_proposals": len(proposals) - len(current),
        "selected": selected,
        "trade_off_chart": charts.fill_trade_off_chart(selected.trade_off, chosen=selected.limit_price)
        if selected is not None and selected.trade_off
        else None,
    }
    return render(request, "portfolio/portfolio_detail.html", context, status=status)


def _selected_proposal(request: HttpRequest, proposals: list[OrderProposal]) -> OrderProposal | None:
    """``?proposal=<id>`` among the shown ones, else the first proposal with a trade-off curve."""
    wanted = request.GET.get("proposal", "")
    chosen = next((p for p in proposals if str(p.pk) == wanted), None)
    return chosen or next((p for p in proposals if p.trade_off), None)


@require_POST
@login_required
def trade_create(request: HttpRequest, portfolio_id: int) -> HttpResponse:
    portfolio = _portfolio_or_404(request, portfolio_id)
    form = TradeForm(request.POST)
    if form.is_valid():
        try:
            trade = services.trade_record(portfolio=portfolio, **form.cleaned_data)
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            what = f"{trade.get_side_display()} {trade.quantity} {trade.ticker.symbol} at {trade.price}"
            messages.success(request, f"Recorded: {what}.")
            return redirect("portfolio:detail", portfolio_id=portfolio.pk)
    # The refused trade stays in the form, with the reason next to it; nothing was recorded.
    return _render_detail(request, portfolio, trade_form=form, status=400)


@require_POST
@login_required
def proposals_create(request: HttpRequest, portfolio_id: int) -> HttpResponse:
    portfolio = _portfolio_or_404(request, portfolio_id)
    try:
        created = services.order_proposals_create(portfolio=portfolio)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        orders = sum(1 for p in created if p.quantity and p.action not in ("hold", "skip"))
        messages.success(
            request, f"{len(created)} proposals for {portfolio.name}, {orders} with an order to place."
        )
    return redirect(reverse("portfolio:detail", args=[portfolio.pk]) + "#proposals")


@require_POST
@login_required
def proposal_decide(request: HttpRequest, portfolio_id: int, proposal_id: int, decision: str) -> HttpResponse:
    portfolio = _portfolio_or_404(request, portfolio_id)
    try:
        proposal = selectors.proposal_get(portfolio=portfolio, proposal_id=proposal_id)
    except NotFound as exc:
        raise Http404(exc.message)
    try:
        decided = services.proposal_decide(proposal=proposal, accept=decision == "accept")
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request, f"{decided.ticker.symbol}: proposal {decided.get_status_display().lower()}."
        )
    return redirect(reverse("portfolio:detail", args=[portfolio.pk]) + "#proposals")

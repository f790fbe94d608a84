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
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from market import clock
from market.selectors import latest_bar_date
from portfolio import costs, selectors, services
from portfolio.models import OptimizationRun, OrderProposal, Portfolio, Side
from portfolio.services import optimization
from swingtrade.errors import DomainError, NotFound
from swingtrade.web import charts
from swingtrade.web.pages import add_domain_error

RECENT_TRADES = 50
RECENT_RUNS = 10
WEIGHT_SHOWN = 5e-5  # half of the 0.01 % the page prints


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


class RiskProfileForm(forms.Form):
    """The portfolio's risk and cost profile; the service checks the combination (e.g. leverage is opt-in)."""

    cost_profile = forms.ModelChoiceField(queryset=None, empty_label=None)
    allow_short = forms.BooleanField(required=False)
    max_position_weight = forms.FloatField(min_value=0.0, max_value=10.0, label="Max weight")
    max_gross_exposure = forms.FloatField(min_value=0.0, max_value=10.0, label="Max gross")
    cash_margin = forms.FloatField(min_value=0.0, max_value=1.0, label="Cash margin")
    risk_per_trade = forms.FloatField(min_value=0.0, max_value=0.2, label="Risk per trade")
    stop_loss_sigmas = forms.FloatField(min_value=0.1, max_value=20.0, label="Stop (σ)")
    horizon_days = forms.IntegerField(min_value=1, max_value=252, label="Horizon (days)")
    order_validity_sessions = forms.IntegerField(min_value=1, max_value=60, label="Validity (sessions)")

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["cost_profile"].queryset = selectors.cost_profiles_for(user).order_by(
            "-is_preset", "name"
        )

    @classmethod
    def for_portfolio(cls, portfolio: Portfolio) -> RiskProfileForm:
        return cls(initial={name: getattr(portfolio, name) for name in cls.base_fields}, user=portfolio.owner)


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
    return _render_detail(request, portfolio)


def _render_detail(
    request: HttpRequest,
    portfolio: Portfolio,
    *,
    trade_form: TradeForm | None = None,
    profile_form: RiskProfileForm | None = None,
    status: int = 200,
) -> HttpResponse:
    valuation = selectors.portfolio_valuation(portfolio, today=clock.today())
    proposals = list(selectors.proposals_of(portfolio))
    latest_as_of = max((p.as_of for p in proposals), default=None)
    # The latest day's proposals; those a newer run replaced (expired) are history, not decisions to make.
    current = [p for p in proposals if p.as_of == latest_as_of and p.status != OrderProposal.Status.EXPIRED]
    selected = _selected_proposal(request, current)
    context = {
        "portfolio": portfolio,
        "optimize_url": reverse("portfolio:optimize", args=[portfolio.pk]),
        "valuation": valuation,
        "positions": sorted(valuation.positions, key=lambda p: -abs(p.market_value)),
        "weights_chart": charts.weights_bar_chart({p.ticker: p.weight for p in valuation.positions}),
        "trades": selectors.trades_of(portfolio).order_by("-traded_on", "-id")[:RECENT_TRADES],
        "trade_form": trade_form or TradeForm(initial={"traded_on": latest_bar_date()}),
        "profile_form": profile_form or RiskProfileForm.for_portfolio(portfolio),
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
            messages.success(request, f"Recorded: {_trade_summary(trade)}.")
            return redirect("portfolio:detail", portfolio_id=portfolio.pk)
    # The refused trade stays in the form, with the reason next to it; nothing was recorded.
    return _render_detail(request, portfolio, trade_form=form, status=400)


def _trade_summary(trade: Any) -> str:
    return f"{trade.get_side_display()} {trade.quantity} {trade.ticker.symbol} at {trade.price}"


@require_POST
@login_required
def profile_update(request: HttpRequest, portfolio_id: int) -> HttpResponse:
    portfolio = _portfolio_or_404(request, portfolio_id)
    form = RiskProfileForm(request.POST, user=request.user)
    if form.is_valid():
        try:
            services.portfolio_update(portfolio=portfolio, **form.cleaned_data)
        except DomainError as exc:
            add_domain_error(form, exc)
        except ValidationError as exc:  # the model's own field checks (full_clean)
            form.add_error(None, exc)
        else:
            messages.success(request, "Risk profile saved; the next proposals and optimisations use it.")
            return redirect("portfolio:detail", portfolio_id=portfolio.pk)
    portfolio.refresh_from_db()  # nothing was saved: show the stored profile beside the refused input
    return _render_detail(request, portfolio, profile_form=form, status=400)


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


# --- optimisation -----------------------------------------------------------------------------------


class OptimizeForm(forms.Form):
    """The objective and the profile overrides a user may change for one run; empty means the profile's."""

    objective = forms.ChoiceField(choices=OptimizationRun.Objective.choices)
    max_weight = forms.FloatField(required=False, min_value=0.0, label="Max weight", help_text="e.g. 0.15")
    risk_aversion = forms.FloatField(required=False, min_value=0.0, label="Risk aversion λ")
    turnover_max = forms.FloatField(required=False, min_value=0.0, label="Max turnover", help_text="e.g. 0.5")
    net_min = forms.FloatField(required=False, label="Min net exposure", help_text="e.g. 0.9")
    sector_limit = forms.FloatField(required=False, min_value=0.0, label="Max per sector")

    OVERRIDES = ("max_weight", "risk_aversion", "turnover_max", "net_min", "sector_limit")

    def overrides(self) -> dict[str, float]:
        return {k: self.cleaned_data[k] for k in self.OVERRIDES if self.cleaned_data.get(k) is not None}


@login_required
def portfolio_optimize(request: HttpRequest, portfolio_id: int) -> HttpResponse:
    """Run the optimiser (POST) or show a stored run (GET, ``?run=<id>``, default the latest)."""
    portfolio = _portfolio_or_404(request, portfolio_id)
    error: DomainError | None = None
    status = 200
    if request.method == "POST":
        form = OptimizeForm(request.POST)
        if form.is_valid():
            try:
                run = optimization.portfolio_optimize(
                    portfolio=portfolio,
                    objective=form.cleaned_data["objective"],
                    overrides=form.overrides(),
                    user=request.user,
                )
            except DomainError as exc:
                # Infeasible constraints (422), a closed gate (503), bad overrides (400): said on the page.
                error, status = exc, exc.status_code
            else:
                url = reverse("portfolio:optimize", args=[portfolio.pk])
                return redirect(f"{url}?run={run.pk}")
        else:
            status = 400
    runs = list(optimization.optimization_runs_of(portfolio)[:RECENT_RUNS])
    wanted = request.GET.get("run", "")
    run = runs[0] if runs else None
    if wanted:
        # Another portfolio's run id (someone else's too) answers as a run that does not exist.
        run = (
            optimization.optimization_runs_of(portfolio).filter(pk=int(wanted)).first()
            if wanted.isdigit()
            else None
        )
        if run is None:
            raise Http404("No such optimisation run for this portfolio.")
    if request.method != "POST":
        form = OptimizeForm(
            initial={"objective": run.objective if run else OptimizationRun.Objective.MEAN_VARIANCE}
        )
    context: dict[str, Any] = {"portfolio": portfolio, "form": form, "error": error, "runs": runs, "run": run}
    if run is not None:
        context.update(
            weights=_weights_table(run),
            frontier_chart=charts.frontier_chart(
                run.frontier,
                current=(run.volatility_before, run.expected_return_before),
                optimal=(run.volatility_after, run.expected_return_after),
            ),
            weights_chart=charts.weights_bar_chart(
                run.final_weights, compare=run.current_weights, label="Target (whole shares)"
            ),
            orders=sorted(
                run.proposals.all(), key=lambda p: (p.side not in (costs.SELL, costs.COVER), p.ticker.symbol)
            ),
        )
    return render(request, "portfolio/optimize.html", context, status=status)


def _weights_table(run: OptimizationRun) -> list[dict[str, Any]]:
    """Current, continuous target and whole-share weights per ticker, largest change first."""
    tickers = set(run.current_weights) | set(run.target_weights) | set(run.final_weights)
    rows = [
        {
            "ticker": t,
            "current": run.current_weights.get(t, 0.0),
            "target": run.target_weights.get(t, 0.0),
            "final": run.final_weights.get(t, 0.0),
            "skipped": run.skipped.get(t),
        }
        for t in tickers
    ]
    for row in rows:
        row["change"] = row["final"] - row["current"]
    # Weights that round to 0.00 % everywhere are solver noise, not positions: leave them out.
    shown = [
        r
        for r in rows
        if max(abs(r["current"]), abs(r["target"]), abs(r["final"])) >= WEIGHT_SHOWN or r["skipped"]
    ]
    return sorted(shown, key=lambda r: (-abs(r["change"]), r["ticker"]))


class FillForm(forms.Form):
    price = forms.DecimalField(max_digits=18, decimal_places=6)
    traded_on = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))


@require_POST
@login_required
def proposal_fill(request: HttpRequest, portfolio_id: int, proposal_id: int) -> HttpResponse:
    """Record the execution of an accepted proposal: it becomes a trade (and the proposal ``filled``)."""
    portfolio = _portfolio_or_404(request, portfolio_id)
    try:
        proposal = selectors.proposal_get(portfolio=portfolio, proposal_id=proposal_id)
    except NotFound as exc:
        raise Http404(exc.message)
    form = FillForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Give the fill price and date.")
    else:
        try:
            trade = services.proposal_fill(proposal=proposal, **form.cleaned_data)
        except DomainError as exc:
            messages.error(request, f"{proposal.ticker.symbol}: {exc.message}")
        else:
            messages.success(request, f"Filled: {_trade_summary(trade)}.")
    return redirect(reverse("portfolio:detail", args=[portfolio.pk]) + "#proposals")

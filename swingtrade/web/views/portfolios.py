"""Server-rendered pages of the portfolio app: the user's portfolios, trades and order proposals.

Every page reads through ``portfolio.selectors`` (someone else's portfolio is a 404) and every write
goes through ``portfolio.services``; a refusal of the service is shown on the page, inline on the form
it came from, and changes nothing.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from market import clock
from market.models import Ticker
from market.selectors import latest_bar_date, latest_closes
from portfolio import costs, selectors, services
from portfolio.models import OptimizationRun, OrderProposal, Portfolio
from portfolio.services import optimization
from portfolio.services.trades import fill_conversion
from swingtrade.errors import DomainError, NotFound
from swingtrade.formatting import format_money, format_percent
from swingtrade.web import charts, presenting
from swingtrade.web.forms import (
    OBJECTIVE_CHOICES,
    SIDE_CHOICES,
    FillForm,
    OptimizeForm,
    PortfolioForm,
    RiskProfileForm,
    TradeForm,
)
from swingtrade.web.pages import add_domain_error

RECENT_TRADES = 50
RECENT_RUNS = 10
WEIGHT_SHOWN = 5e-5  # half of the 0.01 % the page prints


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
                messages.success(request, _("Portfolio %(name)s created.") % {"name": portfolio.name})
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
    size_warning: str | None = None,
    status: int = 200,
) -> HttpResponse:
    valuation = selectors.portfolio_valuation(portfolio, today=clock.today())
    tickers = list(Ticker.objects.filter(is_active=True).order_by("symbol"))
    proposals = list(selectors.proposals_of(portfolio))
    latest_as_of = max((p.as_of for p in proposals), default=None)
    # The latest day's proposals; those a newer run replaced (expired) are history, not decisions to make.
    current = [p for p in proposals if p.as_of == latest_as_of and p.status != OrderProposal.Status.EXPIRED]
    selected = _selected_proposal(request, current)
    displays = presenting.proposal_displays(current, portfolio)
    context = {
        "portfolio": portfolio,
        "optimize_url": reverse("portfolio:optimize", args=[portfolio.pk]),
        "valuation": valuation,
        "tickers": tickers,
        "last_closes": latest_closes([t.symbol for t in tickers]),
        "weights_chart": charts.weights_bar_chart(
            {p.ticker: p.weight for p in valuation.positions if p.weight is not None}
        ),
        "trades": selectors.trades_of(portfolio).order_by("-traded_on", "-id")[:RECENT_TRADES],
        "trade_form": trade_form or TradeForm(initial={"traded_on": latest_bar_date()}),
        "size_warning": size_warning,
        "profile_form": profile_form or RiskProfileForm.for_portfolio(portfolio),
        "proposals": current,
        "displays": displays,
        "nothing_to_do": presenting.nothing_to_do_reason(displays) if displays else None,
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
        # Before anything is recorded: a fill that would take the position past the profile's cap is
        # shown back with the warning and a "record anyway" button (the trade is a fact: never refused).
        if request.POST.get("confirm_size") != "1":
            check = _size_check(portfolio, form.cleaned_data)
            if check is not None and check.above_cap:
                return _render_detail(request, portfolio, trade_form=form, size_warning=check.warning)
        try:
            trade = services.trade_record(portfolio=portfolio, **form.cleaned_data)
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("Recorded: %(trade)s.") % {"trade": _trade_summary(trade)})
            _warn_position_size(request, portfolio, trade.ticker.symbol)
            return redirect("portfolio:detail", portfolio_id=portfolio.pk)
    # The refused trade stays in the form, with the reason next to it; nothing was recorded.
    return _render_detail(request, portfolio, trade_form=form, status=400)


def _size_check(portfolio: Portfolio, trade: dict[str, Any]) -> presenting.SizeCheck | None:
    """The position's weight after the fill the form describes, in the portfolio's currency."""
    instrument = Ticker.objects.filter(symbol=trade["ticker"]).first()
    if instrument is None:
        return None  # the service names the unknown ticker
    try:
        conversion = fill_conversion(
            currency=instrument.currency, base=portfolio.base_currency, traded_on=trade["traded_on"]
        )
    except DomainError:
        return None  # no rate: the service refuses the trade with the reason
    signed = int(trade["quantity"]) * (1 if trade["side"] in costs.BUYING_SIDES else -1)
    price_in_base = float(conversion(trade["price"]))
    return presenting.size_check(
        valuation=selectors.portfolio_valuation(portfolio, today=clock.today()),
        cap=portfolio.max_position_weight,
        symbol=instrument.symbol,
        signed_shares=signed,
        price_in_base=price_in_base,
        cash_flow_in_base=-signed * price_in_base,
    )


def _trade_summary(trade: Any) -> str:
    return _("%(side)s %(qty)s %(symbol)s at %(price)s") % {
        "side": dict(SIDE_CHOICES).get(trade.side, trade.side),
        "qty": trade.quantity,
        "symbol": trade.ticker.symbol,
        "price": format_money(trade.price, trade.ticker.currency),
    }


def _warn_position_size(request: HttpRequest, portfolio: Portfolio, symbol: str) -> None:
    """A recorded trade is a fact, never refused for its size; past the profile's cap it gets a warning."""
    valuation = selectors.portfolio_valuation(portfolio)
    position = next((p for p in valuation.positions if p.ticker == symbol), None)
    weight = position.weight if position is not None else None  # None: no rate, no weight to judge
    if weight is not None and abs(weight) > portfolio.max_position_weight:
        messages.warning(
            request,
            _("%(symbol)s is now %(weight)s of the portfolio, above your limit of %(cap)s per position.")
            % {
                "symbol": symbol,
                "weight": format_percent(abs(weight), 1),
                "cap": format_percent(portfolio.max_position_weight, 0),
            },
        )


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
            messages.success(request, _("Risk profile saved; the next proposals and optimisations use it."))
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
            request,
            _("%(count)s proposals for %(name)s, %(orders)s with an order to place.")
            % {"count": len(created), "name": portfolio.name, "orders": orders},
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
        done = (
            _("order accepted: place it at your broker") if decision == "accept" else _("proposal rejected")
        )
        messages.success(request, f"{decided.ticker.symbol}: {done}.")
    return redirect(reverse("portfolio:detail", args=[portfolio.pk]) + "#proposals")


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
    context: dict[str, Any] = {
        "portfolio": portfolio,
        "form": form,
        "error": error,
        "runs": runs,
        "run": run,
        "objectives": dict(OBJECTIVE_CHOICES),
    }
    if run is not None:
        context.update(
            weights=_weights_table(run),
            frontier_chart=charts.frontier_chart(
                run.frontier,
                current=(run.volatility_before, run.expected_return_before),
                optimal=(run.volatility_after, run.expected_return_after),
            ),
            weights_chart=charts.weights_bar_chart(
                run.final_weights, compare=run.current_weights, label=_("Target (whole shares)")
            ),
            orders=presenting.proposal_displays(
                sorted(
                    run.proposals.all(),
                    key=lambda p: (p.side not in (costs.SELL, costs.COVER), p.ticker.symbol),
                ),
                portfolio,
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


@login_required
def proposal_ticket(request: HttpRequest, portfolio_id: int, proposal_id: int) -> HttpResponse:
    """The order ticket of one proposal: what to type at the broker, the total, and a confirmation button."""
    portfolio = _portfolio_or_404(request, portfolio_id)
    try:
        proposal = selectors.proposal_get(portfolio=portfolio, proposal_id=proposal_id)
    except NotFound as exc:
        raise Http404(exc.message)
    context = {"portfolio": portfolio, "d": presenting.proposal_display(proposal, portfolio)}
    return render(request, "portfolio/order_ticket.html", context)


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
        messages.error(request, _("Give the fill price and date."))
    else:
        try:
            trade = services.proposal_fill(proposal=proposal, **form.cleaned_data)
        except DomainError as exc:
            messages.error(request, f"{proposal.ticker.symbol}: {exc.message}")
        else:
            messages.success(request, _("Filled: %(trade)s.") % {"trade": _trade_summary(trade)})
    return redirect(reverse("portfolio:detail", args=[portfolio.pk]) + "#proposals")

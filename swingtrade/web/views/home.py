"""Site-wide pages: the dashboard, sign-up, the language switch. App pages live in each app's ``views.py``."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import get_user_model, login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import UserCreationForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views import i18n

from mlcore.evaluation import promotion
from mlcore.serving import ranking
from portfolio.selectors import portfolio_valuation, portfolios_for
from swingtrade.accounts import services
from swingtrade.errors import ServiceUnavailable
from swingtrade.web import presenting


class SignUpForm(UserCreationForm):
    email = forms.EmailField(required=False, label=_("E-mail (optional)"))

    class Meta(UserCreationForm.Meta):
        model = get_user_model()
        fields = ("username", "email")


def set_language(request: HttpRequest) -> HttpResponse:
    """Django's switch (the ``django_language`` cookie, back to ``next``); signed in, the choice is also
    kept on the account, so the e-mails sent to this user (digest, alerts) are in it too."""
    response = i18n.set_language(request)
    if request.method == "POST" and request.user.is_authenticated:
        services.language_remember(user=request.user, language=request.POST.get("language", ""))
    return response


def signup(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        form = SignUpForm(request.POST)
        if form.is_valid():
            user = services.user_create(
                username=form.cleaned_data["username"],
                password=form.cleaned_data["password1"],
                email=form.cleaned_data.get("email", ""),
            )
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            return redirect("dashboard")
    else:
        form = SignUpForm()
    return render(request, "registration/signup.html", {"form": form})


# Rows of each side of the ranking shown on the dashboard.
DASHBOARD_RANKING_ROWS = 10


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    """The champion's ranking (top buys and sells, with the model that made it) and the user's portfolios.

    No champion yet, or the gate closed by monitoring, is a message on the page (the service's own
    reason), not an error page: the rest of the site keeps working.
    """
    portfolios = list(portfolios_for(request.user))
    rows = [(portfolio, portfolio_valuation(portfolio)) for portfolio in portfolios]
    context: dict[str, Any] = {"portfolios": rows}
    try:
        served = ranking.ranking_for(limit=DASHBOARD_RANKING_ROWS)
    except ServiceUnavailable as exc:
        context["unavailable"] = exc
    else:
        # One number: each forecast over the portfolio's horizon, as the proposals and the optimiser use it.
        horizon = presenting.advice_horizon(portfolios, served.horizon_days)

        def with_figures(entries: list[Any]) -> list[tuple[Any, presenting.ForecastFigure]]:
            return [
                (
                    e,
                    presenting.forecast_figure(
                        e.expected_return, model_version=served.model_version, horizon=horizon
                    ),
                )
                for e in entries
            ]

        context |= {
            "ranking": served,
            "promotion_min_t": promotion.min_t(),
            "horizon": horizon,
            "buys": with_figures(served.buys),
            "sells": with_figures(served.sells),
        }
    return render(request, "dashboard.html", context)


def glossary(request: HttpRequest) -> HttpResponse:
    """The words of the site in plain language, one anchor per term (linked from each place it appears)."""
    return render(request, "glossary.html")

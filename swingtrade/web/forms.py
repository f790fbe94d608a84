"""The forms of the portfolio pages: labels in the user's language, values checked before any service call."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from market.models import Ticker
from portfolio import selectors
from portfolio.models import AdviceStyle, OptimizationRun, Portfolio, Side

# Currencies a portfolio may be kept in: those the stored exchange rates can convert between.
BASE_CURRENCIES = [("EUR", gettext_lazy("Euro (€)")), ("USD", gettext_lazy("US dollar ($)"))]


class PortfolioForm(forms.Form):
    name = forms.CharField(max_length=100, label=gettext_lazy("Name"))
    cash = forms.DecimalField(
        min_value=Decimal("0"),
        max_digits=18,
        decimal_places=2,
        initial=Decimal("10000"),
        label=gettext_lazy("Starting cash"),
    )
    base_currency = forms.ChoiceField(choices=BASE_CURRENCIES, initial="EUR", label=gettext_lazy("Currency"))
    cost_profile = forms.ModelChoiceField(queryset=None, empty_label=None, label=gettext_lazy("Broker costs"))
    allow_short = forms.BooleanField(
        required=False,
        label=gettext_lazy("Allow short selling"),
        help_text=gettext_lazy("Shorting is opt-in."),
    )
    max_position_weight = forms.FloatField(
        min_value=0.0,
        max_value=10.0,
        initial=0.20,
        label=gettext_lazy("Max per position"),
        help_text=gettext_lazy("Fraction of equity per position (0.2 = 20 %)."),
    )
    max_gross_exposure = forms.FloatField(
        min_value=0.0,
        max_value=10.0,
        initial=1.0,
        label=gettext_lazy("Max invested"),
        help_text=gettext_lazy("Above 1 needs shorting or a cash margin."),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["cost_profile"].queryset = selectors.cost_profiles_for(user).order_by(
            "-is_preset", "name"
        )


class RiskProfileForm(forms.Form):
    """The portfolio's risk and cost profile; the service checks the combination (e.g. leverage is opt-in)."""

    cost_profile = forms.ModelChoiceField(queryset=None, empty_label=None, label=gettext_lazy("Broker costs"))
    allow_short = forms.BooleanField(required=False, label=gettext_lazy("Short selling allowed"))
    max_position_weight = forms.FloatField(
        min_value=0.0, max_value=10.0, label=gettext_lazy("Max per position")
    )
    max_gross_exposure = forms.FloatField(min_value=0.0, max_value=10.0, label=gettext_lazy("Max invested"))
    cash_margin = forms.FloatField(min_value=0.0, max_value=1.0, label=gettext_lazy("Cash margin"))
    risk_per_trade = forms.FloatField(min_value=0.0, max_value=0.2, label=gettext_lazy("Risk per trade"))
    stop_loss_sigmas = forms.FloatField(min_value=0.1, max_value=20.0, label=gettext_lazy("Stop (σ)"))
    horizon_days = forms.IntegerField(min_value=1, max_value=252, label=gettext_lazy("Horizon (days)"))
    order_validity_sessions = forms.IntegerField(
        min_value=1, max_value=60, label=gettext_lazy("Order validity (sessions)")
    )
    max_sector_weight = forms.FloatField(
        min_value=0.0,
        max_value=1.0,
        label=gettext_lazy("Max per sector"),
        help_text=gettext_lazy("0.3 = 30 %"),
    )
    # Rendered as radio buttons, each with what the style has been measured to do (portfolio.advice.styles).
    advice_style = forms.ChoiceField(
        choices=AdviceStyle.choices, widget=forms.RadioSelect, label=gettext_lazy("Advice style")
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["cost_profile"].queryset = selectors.cost_profiles_for(user).order_by(
            "-is_preset", "name"
        )

    @classmethod
    def for_portfolio(cls, portfolio: Portfolio) -> RiskProfileForm:
        return cls(initial={name: getattr(portfolio, name) for name in cls.base_fields}, user=portfolio.owner)


SIDE_CHOICES = [
    (Side.BUY, gettext_lazy("Buy")),
    (Side.SELL, gettext_lazy("Sell")),
    (Side.SHORT, gettext_lazy("Sell short")),
    (Side.COVER, gettext_lazy("Buy to cover")),
]


class TradeForm(forms.Form):
    """What the user executed at the broker; the service decides whether it can be."""

    ticker = forms.CharField(
        max_length=16,
        label=gettext_lazy("Stock (symbol or name)"),
        widget=forms.TextInput(attrs={"list": "ticker-choices", "autocomplete": "off"}),
    )
    side = forms.ChoiceField(choices=SIDE_CHOICES, label=gettext_lazy("Side"))
    quantity = forms.DecimalField(max_digits=18, decimal_places=0, min_value=1, label=gettext_lazy("Shares"))
    price = forms.DecimalField(
        max_digits=18,
        decimal_places=4,
        label=gettext_lazy("Price per share"),
        widget=forms.NumberInput({"step": "0.01"}),
    )
    traded_on = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), label=gettext_lazy("Date"))
    fees = forms.DecimalField(
        max_digits=18,
        decimal_places=2,
        required=False,
        label=gettext_lazy("Fees"),
        help_text=gettext_lazy("In the stock's currency, like the price. Empty: from the cost profile."),
    )

    def clean_ticker(self) -> str:
        """A symbol, or the name picked from the suggestions ("Apple Inc. (AAPL)" → AAPL)."""
        text = self.cleaned_data["ticker"].strip()
        if text.endswith(")") and "(" in text:
            text = text.rsplit("(", 1)[1].rstrip(")")
        symbol = text.upper()
        if Ticker.objects.filter(symbol=symbol).exists():
            return symbol
        match = Ticker.objects.filter(name__icontains=text).order_by("symbol")[:2]
        if len(match) == 1:
            return match[0].symbol
        raise forms.ValidationError(
            _("No stock matches %(text)s: pick one from the suggestions or type its symbol (AAPL).")
            % {"text": text}
        )


OBJECTIVE_CHOICES = [
    (
        OptimizationRun.Objective.MEAN_VARIANCE,
        gettext_lazy("Best expected return for its risk (mean-variance)"),
    ),
    (OptimizationRun.Objective.MIN_VARIANCE, gettext_lazy("Lowest risk (minimum variance)")),
    (OptimizationRun.Objective.MAX_SHARPE, gettext_lazy("Best return per unit of risk (max Sharpe)")),
]


class OptimizeForm(forms.Form):
    """The objective and the profile overrides a user may change for one run; empty means the profile's."""

    objective = forms.ChoiceField(choices=OBJECTIVE_CHOICES, label=gettext_lazy("Objective"))
    max_weight = forms.FloatField(required=False, min_value=0.0, label=gettext_lazy("Max per position"))
    risk_aversion = forms.FloatField(required=False, min_value=0.0, label=gettext_lazy("Risk aversion λ"))
    turnover_max = forms.FloatField(required=False, min_value=0.0, label=gettext_lazy("Max turnover"))
    net_min = forms.FloatField(required=False, label=gettext_lazy("Min net exposure"))
    sector_limit = forms.FloatField(required=False, min_value=0.0, label=gettext_lazy("Max per sector"))

    OVERRIDES = ("max_weight", "risk_aversion", "turnover_max", "net_min", "sector_limit")

    def overrides(self) -> dict[str, float]:
        return {k: self.cleaned_data[k] for k in self.OVERRIDES if self.cleaned_data.get(k) is not None}


class FillForm(forms.Form):
    price = forms.DecimalField(max_digits=18, decimal_places=6)
    traded_on = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))

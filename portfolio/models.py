"""Portfolios, what they hold, what they traded, the costs they pay and the orders proposed to them.

Money is stored as ``Decimal`` (exact cash arithmetic); quantities as whole shares (signed on positions:
negative is short). The cost rules themselves live in :mod:`portfolio.costs`; ``CostProfile`` only stores a
user's editable copy of them.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from portfolio import costs

MONEY = {"max_digits": 20, "decimal_places": 6}
FRACTION = [MinValueValidator(0.0), MaxValueValidator(1.0)]


class CostProfile(models.Model):
    """A broker's fee schedule and a tax regime; presets (owner empty) are created by a data migration."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="cost_profiles",
    )
    name = models.CharField(max_length=80)
    is_preset = models.BooleanField(default=False)
    commission_fixed = models.FloatField(default=0.0, validators=[MinValueValidator(0.0)])
    commission_rate = models.FloatField(default=0.0, validators=FRACTION)
    commission_min = models.FloatField(default=0.0, validators=[MinValueValidator(0.0)])
    commission_max = models.FloatField(null=True, blank=True, validators=[MinValueValidator(0.0)])
    half_spread_vol_fraction = models.FloatField(default=0.02, validators=[MinValueValidator(0.0)])
    half_spread_floor = models.FloatField(default=0.0001, validators=FRACTION)
    ftt_rate = models.FloatField(default=0.0, validators=FRACTION)
    ftt_tickers = models.JSONField(default=list, blank=True, help_text="Tickers whose purchases pay the tax.")
    ftt_exchanges = models.JSONField(default=list, blank=True, help_text="MIC codes, e.g. XPAR.")
    borrow_rate_annual = models.FloatField(default=0.0, validators=FRACTION)
    capital_gains_rate = models.FloatField(default=0.30, validators=FRACTION)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-is_preset", "name"]
        constraints = [
            models.UniqueConstraint(fields=["owner", "name"], name="portfolio_costprofile_owner_name"),
            models.CheckConstraint(
                condition=models.Q(commission_max__isnull=True)
                | models.Q(commission_max__gte=models.F("commission_min")),
                name="portfolio_costprofile_max_ge_min",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def as_cost_model(self) -> costs.CostModel:
        return costs.CostModel(
            name=self.name,
            commission_fixed=self.commission_fixed,
            commission_rate=self.commission_rate,
            commission_min=self.commission_min,
            commission_max=self.commission_max,
            half_spread_vol_fraction=self.half_spread_vol_fraction,
            half_spread_floor=self.half_spread_floor,
            ftt_rate=self.ftt_rate,
            ftt_tickers=frozenset(self.ftt_tickers or []),
            ftt_exchanges=frozenset(self.ftt_exchanges or []),
            borrow_rate_annual=self.borrow_rate_annual,
            capital_gains_rate=self.capital_gains_rate,
        )


class AdviceStyle(models.TextChoices):
    # The default: long-only minimum variance, trading only when it pays its costs and taxes.
    LOW_RISK = "low_risk", _("Low risk, cost- and tax-aware (default)")
    # The ranking's swing entries (and shorts when the profile allows them): measured to lose after costs.
    SIGNALS = "signals", _("Model signals (swing entries)")


class Portfolio(models.Model):
    """A user's account: cash, a risk profile (long-only, unlevered by default) and a cost profile."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="portfolios")
    name = models.CharField(max_length=100)
    base_currency = models.CharField(max_length=3, default="USD")
    cash = models.DecimalField(**MONEY, default=Decimal("0"))
    cost_profile = models.ForeignKey(CostProfile, on_delete=models.PROTECT, related_name="portfolios")
    # Risk profile.
    max_position_weight = models.FloatField(
        default=0.20, validators=[MinValueValidator(0.0), MaxValueValidator(10.0)]
    )
    max_gross_exposure = models.FloatField(
        default=1.0, validators=[MinValueValidator(0.0), MaxValueValidator(10.0)]
    )
    allow_short = models.BooleanField(default=False)
    horizon_days = models.PositiveSmallIntegerField(
        default=5, validators=[MinValueValidator(1), MaxValueValidator(252)]
    )
    risk_per_trade = models.FloatField(
        default=0.01, validators=[MinValueValidator(0.0), MaxValueValidator(0.2)]
    )
    stop_loss_sigmas = models.FloatField(
        default=2.0, validators=[MinValueValidator(0.1), MaxValueValidator(20.0)]
    )
    cash_margin = models.FloatField(
        default=0.0,
        validators=FRACTION,
        help_text="How far cash may go below zero, as a fraction of equity (0: no borrowing).",
    )
    order_validity_sessions = models.PositiveSmallIntegerField(
        default=3, validators=[MinValueValidator(1), MaxValueValidator(60)]
    )
    max_sector_weight = models.FloatField(
        default=0.30,
        validators=FRACTION,
        help_text="Largest sector as a fraction of equity (default advice).",
    )
    advice_style = models.CharField(
        max_length=12,
        choices=AdviceStyle.choices,
        default=AdviceStyle.LOW_RISK,
        help_text="Low-risk default advice, or the model's swing entries (long/short when allowed).",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["owner", "name"], name="portfolio_portfolio_owner_name"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.owner})"


class Position(models.Model):
    portfolio = models.ForeignKey(Portfolio, on_delete=models.CASCADE, related_name="positions")
    ticker = models.ForeignKey("market.Ticker", on_delete=models.PROTECT, related_name="+")
    quantity = models.BigIntegerField(help_text="Shares; negative for a short.")
    average_cost = models.DecimalField(**MONEY, help_text="Per share, in the ticker's trading currency.")
    # The French PMP is in euros: each purchase at its own date's rate (portfolio.services.trades).
    average_cost_base = models.DecimalField(
        **MONEY,
        null=True,
        blank=True,
        help_text="Per share, in the portfolio's currency, each purchase at its day's rate (empty: same).",
    )
    opened_on = models.DateField()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["ticker__symbol"]
        constraints = [
            models.UniqueConstraint(fields=["portfolio", "ticker"], name="portfolio_position_unique"),
            models.CheckConstraint(condition=~models.Q(quantity=0), name="portfolio_position_not_flat"),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} {self.ticker} @ {self.average_cost}"


class Side(models.TextChoices):
    BUY = costs.BUY, "Buy"
    SELL = costs.SELL, "Sell"
    SHORT = costs.SHORT, "Sell short"
    COVER = costs.COVER, "Buy to cover"


class Trade(models.Model):
    """An executed fill the user recorded; immutable once written."""

    portfolio = models.ForeignKey(Portfolio, on_delete=models.CASCADE, related_name="trades")
    ticker = models.ForeignKey("market.Ticker", on_delete=models.PROTECT, related_name="+")
    proposal = models.OneToOneField(
        "OrderProposal", null=True, blank=True, on_delete=models.SET_NULL, related_name="trade"
    )
    traded_on = models.DateField()
    side = models.CharField(max_length=5, choices=Side.choices)
    quantity = models.PositiveBigIntegerField()
    price = models.DecimalField(**MONEY, help_text="Per share, in the ticker's trading currency.")
    # Everything below is in the portfolio's currency, converted at ``fx_rate`` (1 when they are the same).
    fx_rate = models.DecimalField(
        max_digits=20,
        decimal_places=10,
        default=Decimal("1"),
        help_text="Units of the portfolio's currency per unit of the ticker's, applied to this fill.",
    )
    fx_rate_on = models.DateField(
        null=True, blank=True, help_text="Date of the exchange-rate fixing used; empty without conversion."
    )
    fees = models.DecimalField(**MONEY, default=Decimal("0"))
    transaction_tax = models.DecimalField(**MONEY, default=Decimal("0"))
    capital_gains_tax = models.DecimalField(
        **MONEY,
        default=Decimal("0"),
        help_text="Change of the year's tax bill; negative when a loss offsets gains.",
    )
    realised_pnl = models.DecimalField(
        **MONEY,
        default=Decimal("0"),
        help_text="Before fees and taxes, against the PMP in the portfolio's currency.",
    )
    cash_after = models.DecimalField(**MONEY)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-traded_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(quantity__gt=0), name="portfolio_trade_qty_pos")
        ]

    def __str__(self) -> str:
        return f"{self.traded_on} {self.side} {self.quantity} {self.ticker} @ {self.price}"

    @property
    def taxes(self) -> Decimal:
        return self.transaction_tax + self.capital_gains_tax


class OrderProposal(models.Model):
    class Status(models.TextChoices):
        PROPOSED = "proposed", "Proposed"
        ACCEPTED = "accepted", "Accepted"
        REJECTED = "rejected", "Rejected"
        EXPIRED = "expired", "Expired"
        FILLED = "filled", "Filled"

    class Action(models.TextChoices):
        ENTER = "enter", "Enter"
        ADD = "add", "Add"
        HOLD = "hold", "Hold"
        TRIM = "trim", "Trim"
        EXIT = "exit", "Exit"
        COVER = "cover", "Cover"
        SKIP = "skip", "Skip (edge below costs)"

    class OrderType(models.TextChoices):
        MARKET = "market", "Market"
        LIMIT = "limit", "Limit"
        STOP = "stop", "Stop"
        STOP_LIMIT = "stop_limit", "Stop-limit"

    portfolio = models.ForeignKey(Portfolio, on_delete=models.CASCADE, related_name="proposals")
    ticker = models.ForeignKey("market.Ticker", on_delete=models.PROTECT, related_name="+")
    as_of = models.DateField(help_text="Date of the prices and predictions used.")
    action = models.CharField(max_length=5, choices=Action.choices)
    side = models.CharField(max_length=5, choices=Side.choices, blank=True)
    order_type = models.CharField(max_length=10, choices=OrderType.choices, blank=True)
    quantity = models.PositiveBigIntegerField(default=0)
    reference_price = models.DecimalField(**MONEY, help_text="Last close the order is priced from.")
    limit_price = models.DecimalField(**MONEY, null=True, blank=True)
    stop_price = models.DecimalField(**MONEY, null=True, blank=True)
    valid_until = models.DateField(null=True, blank=True)
    stop_loss = models.DecimalField(**MONEY, null=True, blank=True)
    take_profit = models.DecimalField(**MONEY, null=True, blank=True)
    fill_probability = models.FloatField(null=True, blank=True)
    expected_gross_return = models.FloatField(
        help_text="Fraction of notional, if filled, in the order's favour."
    )
    expected_costs = models.JSONField(default=dict, help_text="Money: commission, spread, taxes, borrow.")
    expected_cost_return = models.FloatField(default=0.0, help_text="Costs as a fraction of notional.")
    expected_net_return = models.FloatField(help_text="P(fill) x (gross - costs), fraction of notional.")
    trade_off = models.JSONField(
        default=list, blank=True, help_text="Candidate orders with P(fill) and value."
    )
    model_version = models.ForeignKey(
        "mlcore.ModelVersion", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reasons = models.TextField()
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PROPOSED)
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-as_of", "id"]
        indexes = [models.Index(fields=["portfolio", "status", "as_of"])]

    def __str__(self) -> str:
        return f"{self.as_of} {self.action} {self.side} {self.quantity} {self.ticker}"


class OptimizationRun(models.Model):
    """One run of the optimiser on a portfolio: inputs, answer, and the order proposals it produced.

    Weights are fractions of equity by ticker; returns and volatilities are over ``horizon_days``.
    """

    class Objective(models.TextChoices):
        MEAN_VARIANCE = "mean_variance", "Mean-variance"
        MIN_VARIANCE = "min_variance", "Minimum variance"
        MAX_SHARPE = "max_sharpe", "Maximum Sharpe"

    portfolio = models.ForeignKey(Portfolio, on_delete=models.CASCADE, related_name="optimizations")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    as_of = models.DateField(help_text="Date of the prices and predictions used.")
    objective = models.CharField(max_length=16, choices=Objective.choices)
    parameters = models.JSONField(default=dict, help_text="Profile, overrides, costs and estimator settings.")
    inputs_fingerprint = models.CharField(max_length=64, help_text="sha256 of every numeric input.")
    model_version = models.ForeignKey(
        "mlcore.ModelVersion", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    horizon_days = models.PositiveSmallIntegerField()
    solver = models.CharField(max_length=20)
    solver_status = models.CharField(max_length=30)
    solve_seconds = models.FloatField()
    compile_seconds = models.FloatField()
    current_weights = models.JSONField(default=dict)
    target_weights = models.JSONField(default=dict, help_text="Continuous optimum, after fees.")
    final_weights = models.JSONField(default=dict, help_text="After rounding to whole shares.")
    expected_return_before = models.FloatField()
    expected_return_after = models.FloatField()
    volatility_before = models.FloatField()
    volatility_after = models.FloatField()
    turnover = models.FloatField()
    transaction_costs = models.FloatField(help_text="Fraction of equity.")
    borrow_cost = models.FloatField(default=0.0, help_text="Fraction of equity over the horizon.")
    trade_costs_money = models.FloatField(default=0.0, help_text="Money, the whole-share orders.")
    frontier = models.JSONField(
        default=list, blank=True, help_text="[{risk_aversion, expected_return, volatility}]"
    )
    skipped = models.JSONField(default=dict, blank=True, help_text="Ticker → why its trade was dropped.")
    proposals = models.ManyToManyField(OrderProposal, blank=True, related_name="optimizations")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["portfolio", "created_at"])]

    def __str__(self) -> str:
        return f"{self.as_of} {self.objective} on {self.portfolio_id} ({self.solver_status})"


class TaxYear(models.Model):
    """A portfolio's realised gains and losses of one calendar year (the French tax ledger).

    Carried-forward losses are not stored: they follow from the sequence of years
    (:func:`portfolio.tax.rules.tax_position`), so they can never disagree with the trades.
    """

    portfolio = models.ForeignKey(Portfolio, on_delete=models.CASCADE, related_name="tax_years")
    year = models.PositiveSmallIntegerField()
    realised_gains = models.DecimalField(**MONEY, default=Decimal("0"))
    realised_losses = models.DecimalField(**MONEY, default=Decimal("0"), help_text="A positive amount.")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["portfolio", "year"]
        constraints = [
            models.UniqueConstraint(fields=["portfolio", "year"], name="portfolio_taxyear_unique"),
            models.CheckConstraint(
                condition=models.Q(realised_gains__gte=0, realised_losses__gte=0),
                name="portfolio_taxyear_non_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.portfolio_id} {self.year}: +{self.realised_gains} -{self.realised_losses}"


class NotificationPreference(models.Model):
    """What a user chose to receive by e-mail (one row per user, created on first opt-in)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preference"
    )
    daily_digest = models.BooleanField(
        default=False, help_text="One e-mail after the close with the day's advice and order events."
    )
    last_digest_on = models.DateField(null=True, blank=True, help_text="Day of the last digest sent.")

    def __str__(self) -> str:
        return f"{self.user}: digest {'on' if self.daily_digest else 'off'}"


# The replay's run log (portfolio/replay/, docs/replay.md).
class ReplayRun(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.QUEUED)
    params = models.JSONField(
        default=dict, help_text="start, end, data, strategies, offsets, rebalance, retrain, costs."
    )
    data_fingerprint = models.JSONField(default=dict, blank=True, help_text="Source, tickers, dates, sha256.")
    model_versions = models.JSONField(
        default=list, blank=True, help_text="Fingerprints of the models trained inside the replay."
    )
    code_version = models.CharField(max_length=64, blank=True, help_text="git sha of the code, if known.")
    parts_total = models.PositiveIntegerField(default=0, help_text="(strategy, offset) replays to run.")
    parts_done = models.PositiveIntegerField(default=0)
    results = models.JSONField(default=dict, blank=True, help_text="Statistics, by year, equity curves.")
    error = models.TextField(blank=True)
    seconds = models.FloatField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"replay #{self.pk} {self.params.get('start')}…{self.params.get('end')} ({self.status})"

    @property
    def progress(self) -> float:
        return self.parts_done / self.parts_total if self.parts_total else 0.0

from __future__ import annotations

import functools
from collections.abc import Iterable
from typing import Any

from django.db.models import QuerySet
from rest_framework import serializers

from portfolio import selectors
from portfolio.models import MONEY, CostProfile, OrderProposal, Portfolio, Position, Side, Trade
from portfolio.services import PORTFOLIO_FIELDS


class CostProfileSerializer(serializers.ModelSerializer):
    # Lists of codes, not any JSON: a number or an object here would crash the cost model later (issue 12).
    ftt_tickers = serializers.ListField(child=serializers.CharField(max_length=16), required=False)
    ftt_exchanges = serializers.ListField(child=serializers.CharField(max_length=8), required=False)

    class Meta:
        model = CostProfile
        exclude = ["owner"]
        read_only_fields = ["is_preset", "created_at"]
        validators: list = []  # name uniqueness per owner is the service's


class VisibleCostProfileField(serializers.PrimaryKeyRelatedField):
    """A cost profile id among the presets and the caller's own: another user's profile answers exactly
    as an id that does not exist (its existence is not disclosed)."""

    def get_queryset(self):
        request = self.context.get("request")
        return selectors.cost_profiles_for(getattr(request, "user", None))


class PortfolioSerializer(serializers.ModelSerializer):
    cost_profile = VisibleCostProfileField(required=False)

    class Meta:
        model = Portfolio
        fields = ["id", *PORTFOLIO_FIELDS, "created_at", "updated_at"]
        read_only_fields = ["id", "created_at", "updated_at"]
        # Uniqueness per owner is checked by the service (the owner is not a field of the request).
        validators: list = []


class PositionValueSerializer(serializers.Serializer):
    """One holding: ``price``, ``average_cost``, ``market_value`` and ``unrealised_pnl`` in the stock's
    ``currency``; the ``*_base`` figures and ``weight`` in the portfolio's currency, converted at ``fx_rate``
    (portfolio currency per unit of the stock's, 1 when they are the same) fixed on ``fx_rate_on`` (null
    without conversion). Without a stored rate, ``fx_rate``, the ``*_base`` figures and ``weight`` are
    null."""

    ticker = serializers.CharField()
    currency = serializers.CharField()
    quantity = serializers.IntegerField()
    average_cost = serializers.FloatField()
    price = serializers.FloatField()
    price_date = serializers.DateField(allow_null=True)
    market_value = serializers.FloatField()
    unrealised_pnl = serializers.FloatField()
    fx_rate = serializers.FloatField(allow_null=True)
    fx_rate_on = serializers.DateField(allow_null=True)
    average_cost_base = serializers.FloatField(allow_null=True)
    market_value_base = serializers.FloatField(allow_null=True)
    unrealised_pnl_base = serializers.FloatField(allow_null=True)
    weight = serializers.FloatField(allow_null=True)


def valuation_data(valuation: selectors.Valuation) -> dict[str, Any]:
    """The answer :class:`ValuationSerializer` describes, built as plain dicts: every value is already a
    float, a date, a string or null, so DRF's fields had only per-field overhead to add (tests check both
    agree)."""
    data = {name: getattr(valuation, name) for name in _VALUATION_FIELDS}
    data["positions"] = [
        {name: getattr(position, name) for name in _POSITION_VALUE_FIELDS} for position in valuation.positions
    ]
    return data


class ValuationSerializer(serializers.Serializer):
    """Everything in the portfolio's ``base_currency`` (each position's own currency aside). When a
    position's currency has no stored rate, ``missing_rates`` names it and ``equity``, the exposures and
    the weights are null rather than a sum of different currencies."""

    base_currency = serializers.CharField()
    cash = serializers.FloatField()
    equity = serializers.FloatField(allow_null=True)
    long_exposure = serializers.FloatField(allow_null=True)
    short_exposure = serializers.FloatField(allow_null=True)
    gross_exposure = serializers.FloatField(allow_null=True)
    net_exposure = serializers.FloatField(allow_null=True)
    realised_pnl_ytd = serializers.FloatField()
    capital_gains_tax_ytd = serializers.FloatField()
    missing_rates = serializers.ListField(child=serializers.CharField())
    positions = PositionValueSerializer(many=True)


_VALUATION_FIELDS = [name for name in ValuationSerializer._declared_fields if name != "positions"]
_POSITION_VALUE_FIELDS = list(PositionValueSerializer._declared_fields)


class PositionSerializer(serializers.ModelSerializer):
    ticker = serializers.CharField(source="ticker.symbol")

    class Meta:
        model = Position
        fields = ["id", "ticker", "quantity", "average_cost", "opened_on"]


class TradeSerializer(serializers.ModelSerializer):
    """A booked trade. ``price`` is in the stock's ``currency``; fees, taxes, realised P&L and cash are in the
    portfolio's ``base_currency``, converted at ``fx_rate`` (portfolio currency per unit of the stock's,
    1 when they are the same) of ``fx_rate_on``, the stored rate the trade was booked at."""

    ticker = serializers.CharField(source="ticker.symbol")
    taxes = serializers.DecimalField(**MONEY, read_only=True)
    currency = serializers.CharField(source="ticker.currency", read_only=True)
    base_currency = serializers.CharField(source="portfolio.base_currency", read_only=True)

    class Meta:
        model = Trade
        fields = [
            "id",
            "ticker",
            "traded_on",
            "side",
            "quantity",
            "price",
            "fees",
            "transaction_tax",
            "capital_gains_tax",
            "taxes",
            "realised_pnl",
            "cash_after",
            "currency",
            "base_currency",
            "fx_rate",
            "fx_rate_on",
            "proposal",
            "created_at",
        ]


class TradeInputSerializer(serializers.Serializer):
    """Shapes only (numbers that fit the money columns); every business rule (sides, holdings, cash,
    price range, dates, resulting amounts) is the service's."""

    ticker = serializers.CharField(max_length=16)
    side = serializers.ChoiceField(choices=Side.choices)
    quantity = serializers.DecimalField(**MONEY)
    price = serializers.DecimalField(**MONEY)
    traded_on = serializers.DateField()
    fees = serializers.DecimalField(**MONEY, required=False, allow_null=True)


def proposal_fees(costs: dict[str, Any] | None) -> float:
    costs = costs or {}
    return float(costs.get("fees", costs.get("commission", 0.0) + costs.get("spread", 0.0)))


def proposal_taxes(costs: dict[str, Any] | None) -> float:
    costs = costs or {}
    return float(costs.get("transaction_tax", 0.0) + costs.get("capital_gains_tax", 0.0))


def proposal_volatility_effect(costs: dict[str, Any] | None) -> float | None:
    return (costs or {}).get("volatility_effect")


class ProposalSerializer(serializers.ModelSerializer):
    ticker = serializers.CharField(source="ticker.symbol")
    model_version = serializers.PrimaryKeyRelatedField(read_only=True)
    # Each order's fees, taxes (FTT + change of the year's flat tax) and effect on annualised volatility.
    fees = serializers.SerializerMethodField()
    taxes = serializers.SerializerMethodField()
    volatility_effect = serializers.SerializerMethodField()

    def get_fees(self, proposal: OrderProposal) -> float:
        return proposal_fees(proposal.expected_costs)

    def get_taxes(self, proposal: OrderProposal) -> float:
        return proposal_taxes(proposal.expected_costs)

    def get_volatility_effect(self, proposal: OrderProposal) -> float | None:
        return proposal_volatility_effect(proposal.expected_costs)

    class Meta:
        model = OrderProposal
        exclude = ["portfolio"]


class ProposalRows:
    """The proposals list as :class:`ProposalSerializer` writes it, from ``values()`` rows.

    Through the serializer, a page of proposals built a model instance (and its ticker) per row and
    ran ~27 field objects on it: most of the list's CPU. Here each row is one dict from the database;
    decimals and datetimes still go through the serializer's own field objects, so the text is the same
    (a test compares both on every field). Build it once (:func:`proposal_rows`): the fields are
    read-only after that.
    """

    #: Answer names whose column has another name; every other stored field is its model column.
    renamed = {"ticker": "ticker__symbol", "model_version": "model_version_id"}
    #: Answer names computed from ``expected_costs``.
    derived = {
        "fees": proposal_fees,
        "taxes": proposal_taxes,
        "volatility_effect": proposal_volatility_effect,
    }

    def __init__(self) -> None:
        fields = ProposalSerializer().fields
        self.names = list(fields)
        self.columns = [self.renamed.get(name, name) for name in self.names if name not in self.derived]
        # Only these field classes change a stored value's text (decimal places, time zone).
        self.converters = {
            name: field.to_representation
            for name, field in fields.items()
            if isinstance(field, serializers.DecimalField | serializers.DateTimeField)
        }

    def queryset(self, proposals: QuerySet[OrderProposal]) -> QuerySet:
        return proposals.values(*self.columns)

    def data(self, rows: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
        names, renamed, derived, converters = self.names, self.renamed, self.derived, self.converters
        out = []
        for row in rows:
            item: dict[str, Any] = {}
            for name in names:
                if name in derived:
                    item[name] = derived[name](row["expected_costs"])
                    continue
                value = row[renamed.get(name, name)]
                if value is not None and name in converters:
                    value = converters[name](value)
                item[name] = value
            out.append(item)
        return out


@functools.cache
def proposal_rows() -> ProposalRows:
    return ProposalRows()


class ProposalCreateSerializer(serializers.Serializer):
    as_of = serializers.DateField(required=False, allow_null=True)


class ProposalFillSerializer(serializers.Serializer):
    price = serializers.DecimalField(**MONEY)
    traded_on = serializers.DateField()
    quantity = serializers.DecimalField(**MONEY, required=False, allow_null=True)
    fees = serializers.DecimalField(**MONEY, required=False, allow_null=True)

from __future__ import annotations

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
    ticker = serializers.CharField()
    quantity = serializers.IntegerField()
    average_cost = serializers.FloatField()
    price = serializers.FloatField()
    price_date = serializers.DateField(allow_null=True)
    market_value = serializers.FloatField()
    unrealised_pnl = serializers.FloatField()
    weight = serializers.FloatField()


class ValuationSerializer(serializers.Serializer):
    cash = serializers.FloatField()
    equity = serializers.FloatField()
    long_exposure = serializers.FloatField()
    short_exposure = serializers.FloatField()
    gross_exposure = serializers.FloatField()
    net_exposure = serializers.FloatField()
    realised_pnl_ytd = serializers.FloatField()
    capital_gains_tax_ytd = serializers.FloatField()
    positions = PositionValueSerializer(many=True)


class PositionSerializer(serializers.ModelSerializer):
    ticker = serializers.CharField(source="ticker.symbol")

    class Meta:
        model = Position
        fields = ["id", "ticker", "quantity", "average_cost", "opened_on"]


class TradeSerializer(serializers.ModelSerializer):
    ticker = serializers.CharField(source="ticker.symbol")
    taxes = serializers.DecimalField(**MONEY, read_only=True)

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


class ProposalSerializer(serializers.ModelSerializer):
    ticker = serializers.CharField(source="ticker.symbol")
    model_version = serializers.PrimaryKeyRelatedField(read_only=True)
    # Each order's fees, taxes (FTT + change of the year's flat tax) and effect on annualised volatility.
    fees = serializers.SerializerMethodField()
    taxes = serializers.SerializerMethodField()
    volatility_effect = serializers.SerializerMethodField()

    def get_fees(self, proposal: OrderProposal) -> float:
        costs = proposal.expected_costs or {}
        return float(costs.get("fees", costs.get("commission", 0.0) + costs.get("spread", 0.0)))

    def get_taxes(self, proposal: OrderProposal) -> float:
        costs = proposal.expected_costs or {}
        return float(costs.get("transaction_tax", 0.0) + costs.get("capital_gains_tax", 0.0))

    def get_volatility_effect(self, proposal: OrderProposal) -> float | None:
        return (proposal.expected_costs or {}).get("volatility_effect")

    class Meta:
        model = OrderProposal
        exclude = ["portfolio"]


class ProposalCreateSerializer(serializers.Serializer):
    as_of = serializers.DateField(required=False, allow_null=True)


class ProposalFillSerializer(serializers.Serializer):
    price = serializers.DecimalField(**MONEY)
    traded_on = serializers.DateField()
    quantity = serializers.DecimalField(**MONEY, required=False, allow_null=True)
    fees = serializers.DecimalField(**MONEY, required=False, allow_null=True)

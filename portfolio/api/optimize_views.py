"""``/portfolios/{id}/optimize/`` and ``/portfolios/{id}/optimizations/``: owner only, thin views."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.generics import ListAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from market import clock
from portfolio.api.serializers import ProposalSerializer
from portfolio.api.views import _PortfolioChild
from portfolio.models import OptimizationRun
from portfolio.optimize.inputs import MAX_LEVERAGE
from portfolio.services import optimization
from portfolio.tax_reads import tax_state


class StrictFloatField(serializers.FloatField):
    """A JSON number only: DRF's FloatField would take ``true`` as 1.0 and ``"0.1"`` as 0.1."""

    default_error_messages = {"invalid": "A number is required."}

    def to_internal_value(self, data: Any) -> float:
        if isinstance(data, bool) or not isinstance(data, int | float):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictBooleanField(serializers.BooleanField):
    """``true`` or ``false`` only: DRF's BooleanField would read ``"no"`` as false."""

    default_error_messages = {"invalid": "Must be true or false."}

    def to_internal_value(self, data: Any) -> bool:
        if not isinstance(data, bool):
            self.fail("invalid")
        return data


_LIMIT = {"type": "number", "minimum": 0, "maximum": MAX_LEVERAGE}


@extend_schema_field({"oneOf": [_LIMIT, {"type": "object", "additionalProperties": _LIMIT}]})
class SectorLimitField(serializers.Field):
    """One limit for every sector (a number ≥ 0) or an object of sector → limit."""

    default_error_messages = {
        "invalid": "A number ≥ 0 or an object of sector names to numbers ≥ 0 is required."
    }

    def to_internal_value(self, data: Any) -> float | dict[str, float]:
        number = StrictFloatField(min_value=0.0, max_value=MAX_LEVERAGE)
        try:
            if isinstance(data, dict):
                return {str(sector): number.run_validation(value) for sector, value in data.items()}
            return number.run_validation(data)
        except serializers.ValidationError:
            self.fail("invalid")

    def to_representation(self, value: Any) -> Any:
        return value


def _leverage(*, min_value: float) -> StrictFloatField:
    return StrictFloatField(required=False, min_value=min_value, max_value=MAX_LEVERAGE)


class OverridesSerializer(serializers.Serializer):
    """The optimisation profile fields a request may set (types and ranges; unknown names are errors).

    Whether a value loosens the portfolio's risk profile is the service's rule
    (``OptimizationProfile.tightened``), so the CLI obeys it too.
    """

    max_weight = _leverage(min_value=1e-6)
    gross_max = _leverage(min_value=1e-6)
    net_min = _leverage(min_value=-MAX_LEVERAGE)
    net_max = _leverage(min_value=-MAX_LEVERAGE)
    long_only = StrictBooleanField(required=False)
    sector_limit = SectorLimitField(required=False, allow_null=True)
    turnover_max = StrictFloatField(
        required=False, allow_null=True, min_value=0.0, max_value=2 * MAX_LEVERAGE
    )
    risk_aversion = StrictFloatField(required=False, min_value=0.0, max_value=1e6)
    risk_free_rate = StrictFloatField(required=False, min_value=-1.0, max_value=1.0)

    def to_internal_value(self, data: Any) -> dict[str, Any]:
        if isinstance(data, dict):
            unknown = sorted(set(data) - set(self.fields))
            if unknown:
                raise serializers.ValidationError({name: ["Unknown field."] for name in unknown})
        return super().to_internal_value(data)


class OptimizeInputSerializer(serializers.Serializer):
    objective = serializers.ChoiceField(choices=OptimizationRun.Objective.choices, required=False)
    overrides = OverridesSerializer(required=False)
    as_of = serializers.DateField(required=False, allow_null=True)


class OptimizationRunSerializer(serializers.ModelSerializer):
    proposals = ProposalSerializer(many=True, read_only=True)
    model_version = serializers.PrimaryKeyRelatedField(read_only=True)
    expected_return = serializers.FloatField(source="expected_return_after", read_only=True)
    volatility = serializers.FloatField(source="volatility_after", read_only=True)
    # expected_return and volatility hold if every order fills; how likely that is:
    fill_probability = serializers.SerializerMethodField()
    min_fill_probability = serializers.SerializerMethodField()
    tax_state = serializers.SerializerMethodField()

    def get_tax_state(self, run: OptimizationRun) -> dict[str, Any] | None:
        """The portfolio's tax state the view read once for the response (None when not given)."""
        return self.context.get("tax_state")

    def get_fill_probability(self, run: OptimizationRun) -> float | None:
        return run.parameters.get("execution", {}).get("all_fill_probability")

    def get_min_fill_probability(self, run: OptimizationRun) -> float | None:
        return run.parameters.get("execution", {}).get("min_fill_probability")

    class Meta:
        model = OptimizationRun
        exclude = ["portfolio", "created_by"]


class OptimizeView(_PortfolioChild):
    @extend_schema(request=OptimizeInputSerializer, responses={201: OptimizationRunSerializer})
    def post(self, request: Request, portfolio_id: int) -> Response:
        portfolio = self.portfolio(request, portfolio_id)
        data = OptimizeInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        run = optimization.portfolio_optimize(
            portfolio=portfolio,
            objective=data.validated_data.get("objective"),
            overrides=data.validated_data.get("overrides"),
            as_of=data.validated_data.get("as_of"),
            user=request.user,
        )
        context = {"tax_state": tax_state(portfolio, year=run.as_of.year)}
        body = OptimizationRunSerializer(run, context=context).data
        return Response(body, status=status.HTTP_201_CREATED)


class OptimizationListView(_PortfolioChild, ListAPIView):
    serializer_class = OptimizationRunSerializer

    def get_queryset(self):
        portfolio = self.portfolio(self.request, self.kwargs["portfolio_id"])
        return optimization.optimization_runs_of(portfolio)

    def get_serializer_context(self) -> dict[str, Any]:
        portfolio = self.portfolio(self.request, self.kwargs["portfolio_id"])
        year = clock.today().year
        return {**super().get_serializer_context(), "tax_state": tax_state(portfolio, year=year)}

"""``/portfolios/{id}/optimize/`` and ``/portfolios/{id}/optimizations/``: owner only, thin views."""

from __future__ import annotations

from rest_framework import serializers, status
from rest_framework.generics import ListAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from portfolio import optimization
from portfolio.api.serializers import ProposalSerializer
from portfolio.api.views import _PortfolioChild
from portfolio.models import OptimizationRun


class OptimizeInputSerializer(serializers.Serializer):
    objective = serializers.ChoiceField(choices=OptimizationRun.Objective.choices, required=False)
    overrides = serializers.DictField(required=False, allow_empty=True)
    as_of = serializers.DateField(required=False, allow_null=True)


class OptimizationRunSerializer(serializers.ModelSerializer):
    proposals = ProposalSerializer(many=True, read_only=True)
    model_version = serializers.PrimaryKeyRelatedField(read_only=True)
    expected_return = serializers.FloatField(source="expected_return_after", read_only=True)
    volatility = serializers.FloatField(source="volatility_after", read_only=True)

    class Meta:
        model = OptimizationRun
        exclude = ["portfolio", "created_by"]


class OptimizeView(_PortfolioChild):
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
        return Response(OptimizationRunSerializer(run).data, status=status.HTTP_201_CREATED)


class OptimizationListView(_PortfolioChild, ListAPIView):
    serializer_class = OptimizationRunSerializer

    def get_queryset(self):
        portfolio = self.portfolio(self.request, self.kwargs["portfolio_id"])
        return optimization.optimization_runs_of(portfolio)

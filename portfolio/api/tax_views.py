"""``GET /portfolios/{id}/tax/``: the portfolio's tax state of a year (owner only; others' answer 404)."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from market import clock
from portfolio.api.views import _PortfolioChild
from portfolio.tax_reads import tax_state


class TaxQuerySerializer(serializers.Serializer):
    year = serializers.IntegerField(required=False, min_value=1970, max_value=2100)


class TaxStateView(_PortfolioChild):
    # The body is portfolio.tax_reads.tax_state's dict, not yet described field by field: a JSON object.
    @extend_schema(parameters=[TaxQuerySerializer], responses={200: OpenApiTypes.OBJECT})
    def get(self, request: Request, portfolio_id: int) -> Response:
        portfolio = self.portfolio(request, portfolio_id)
        query = TaxQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        year = query.validated_data.get("year") or clock.today().year
        return Response(tax_state(portfolio, year=year))

"""Owner-only REST endpoints: each view validates input, calls one service or selector, serialises."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.generics import ListAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from market import clock
from portfolio import selectors, services
from portfolio.api import serializers as s
from portfolio.models import CostProfile, Portfolio
from swingtrade.accounts.permissions import IsInvestor, IsOwner
from swingtrade.conditional import conditional_response


class PortfolioViewSet(viewsets.ModelViewSet):
    """``/portfolios/``: CRUD of the caller's portfolios (someone else's answer 404)."""

    serializer_class = s.PortfolioSerializer
    permission_classes = [IsInvestor, IsOwner]
    queryset = Portfolio.objects.none()  # the model, for the schema's path type; get_queryset scopes it

    def get_queryset(self):
        return selectors.portfolios_for(self.request.user)

    def perform_create(self, serializer) -> None:
        data = dict(serializer.validated_data)
        serializer.instance = services.portfolio_create(owner=self.request.user, **data)

    def perform_update(self, serializer) -> None:
        serializer.instance = services.portfolio_update(
            portfolio=serializer.instance, **serializer.validated_data
        )

    @extend_schema(responses={200: s.ValuationSerializer, 304: None})
    @action(detail=True, methods=["get"])
    def valuation(self, request: Request, pk: str | None = None) -> Response:
        portfolio = self.get_object()
        valuation = s.valuation_data(selectors.portfolio_valuation(portfolio))
        return conditional_response(request, valuation, scope=clock.today())


class _PortfolioChild(APIView):
    permission_classes = [IsInvestor]

    def portfolio(self, request: Request, portfolio_id: int):
        return selectors.portfolio_get(user=request.user, portfolio_id=portfolio_id)


class PositionListView(_PortfolioChild, ListAPIView):
    serializer_class = s.PositionSerializer

    def get_queryset(self):
        return selectors.positions_of(self.portfolio(self.request, self.kwargs["portfolio_id"]))


class TradeListCreateView(_PortfolioChild, ListAPIView):
    serializer_class = s.TradeSerializer

    def get_queryset(self):
        return selectors.trades_of(self.portfolio(self.request, self.kwargs["portfolio_id"]))

    @extend_schema(request=s.TradeInputSerializer, responses={201: s.TradeSerializer})
    def post(self, request: Request, portfolio_id: int) -> Response:
        portfolio = self.portfolio(request, portfolio_id)
        data = s.TradeInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        trade = services.trade_record(portfolio=portfolio, **data.validated_data)
        return Response(s.TradeSerializer(trade).data, status=status.HTTP_201_CREATED)


class ProposalListCreateView(_PortfolioChild, ListAPIView):
    serializer_class = s.ProposalSerializer

    def get_queryset(self):
        return selectors.owned_proposals(
            user=self.request.user,
            portfolio_id=self.kwargs["portfolio_id"],
            status=self.request.query_params.get("status"),
        )

    @extend_schema(responses={200: s.ProposalSerializer(many=True), 304: None})
    def get(self, request: Request, *args, **kwargs) -> Response:
        return self.list(request, *args, **kwargs)

    def list(self, request: Request, *args, **kwargs) -> Response:
        # ProposalSerializer's answer, from plain rows (s.ProposalRows: the serializer cost most of the CPU).
        rows = s.proposal_rows()
        page = self.paginate_queryset(rows.queryset(self.get_queryset()))
        if not page:  # no row: a portfolio that is not the caller's (or missing) is a 404, not an empty list
            self.portfolio(request, kwargs["portfolio_id"])
        body = self.get_paginated_response(rows.data(page)).data
        return conditional_response(request, body, scope=clock.today())

    # A plain array (the list view's pagination does not apply to what POST creates).
    @extend_schema(
        request=s.ProposalCreateSerializer,
        responses={201: {"type": "array", "items": {"$ref": "#/components/schemas/Proposal"}}},
    )
    def post(self, request: Request, portfolio_id: int) -> Response:
        portfolio = self.portfolio(request, portfolio_id)
        data = s.ProposalCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        created = services.order_proposals_create(portfolio=portfolio, as_of=data.validated_data.get("as_of"))
        return Response(s.ProposalSerializer(created, many=True).data, status=status.HTTP_201_CREATED)


class ProposalDecisionView(_PortfolioChild):
    accept = True

    @extend_schema(request=None, responses={200: s.ProposalSerializer})
    def post(self, request: Request, portfolio_id: int, proposal_id: int) -> Response:
        portfolio = self.portfolio(request, portfolio_id)
        proposal = selectors.proposal_get(portfolio=portfolio, proposal_id=proposal_id)
        decided = services.proposal_decide(proposal=proposal, accept=self.accept)
        return Response(s.ProposalSerializer(decided).data)


class ProposalFillView(_PortfolioChild):
    @extend_schema(request=s.ProposalFillSerializer, responses={201: s.TradeSerializer})
    def post(self, request: Request, portfolio_id: int, proposal_id: int) -> Response:
        portfolio = self.portfolio(request, portfolio_id)
        proposal = selectors.proposal_get(portfolio=portfolio, proposal_id=proposal_id)
        data = s.ProposalFillSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        trade = services.proposal_fill(proposal=proposal, **data.validated_data)
        return Response(s.TradeSerializer(trade).data, status=status.HTTP_201_CREATED)


class CostProfileViewSet(viewsets.ModelViewSet):
    """``/cost-profiles/``: the presets (read-only) and the caller's own editable profiles."""

    serializer_class = s.CostProfileSerializer
    permission_classes = [IsInvestor]
    queryset = CostProfile.objects.none()  # the model, for the schema's path type; get_queryset scopes it

    def get_queryset(self):
        if self.action in ("update", "partial_update", "destroy"):
            return selectors.cost_profiles_for(self.request.user).filter(owner=self.request.user)
        return selectors.cost_profiles_for(self.request.user)

    def perform_create(self, serializer) -> None:
        serializer.instance = services.cost_profile_create(
            owner=self.request.user, **serializer.validated_data
        )

    def perform_update(self, serializer) -> None:
        serializer.instance = services.cost_profile_update(
            profile=serializer.instance, **serializer.validated_data
        )

    def perform_destroy(self, instance) -> None:
        services.cost_profile_delete(profile=instance)

"""Replays over the API: analysts and admins start one (202 + the run's URL), every user reads them."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from portfolio.api import replay_serializers as s
from portfolio.replay import jobs, services
from portfolio.replay.models import ReplayRun
from swingtrade.accounts.permissions import IsAnalyst
from swingtrade.errors import DomainError


class ReplayRunListCreateView(generics.ListAPIView):
    serializer_class = s.ReplayRunListSerializer
    queryset = ReplayRun.objects.all()

    def get_permissions(self):
        return [IsAnalyst()] if self.request.method == "POST" else [IsAuthenticated()]

    @extend_schema(request=s.ReplayRequestSerializer, responses={202: s.ReplayRunListSerializer})
    def post(self, request: Request) -> Response:
        body = s.ReplayRequestSerializer(data=request.data)
        if not body.is_valid():
            raise DomainError("Invalid replay request.", details=body.errors)
        params = services.replay_params(**body.validated_data)
        run = jobs.replay_request(user=request.user, params=params)
        data = s.ReplayRunListSerializer(run, context={"request": request}).data
        return Response(data, status=status.HTTP_202_ACCEPTED, headers={"Location": str(data["url"])})


class ReplayRunDetailView(generics.RetrieveAPIView):
    """One run with its progress and, once done, its statistics and daily equity series."""

    permission_classes = [IsAuthenticated]
    serializer_class = s.ReplayRunDetailSerializer
    queryset = ReplayRun.objects.all()

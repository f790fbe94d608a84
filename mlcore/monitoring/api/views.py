"""Monitoring API: reports and alerts for analysts and admins; override and thresholds for admins."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.urls import reverse
from drf_spectacular.utils import OpenApiExample, extend_schema, inline_serializer
from rest_framework import generics, status
from rest_framework import serializers as drf_serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from mlcore.monitoring import gate
from mlcore.monitoring import selectors as monitoring_selectors
from mlcore.monitoring import services as monitoring_services
from mlcore.monitoring import tasks as monitoring_tasks
from mlcore.monitoring.api.serializers import (
    AlertSerializer,
    GateOverrideInputSerializer,
    GateOverrideSerializer,
    GateStateSerializer,
    MonitoringReportLatestSerializer,
    MonitoringReportSerializer,
    MonitoringRunSerializer,
    MonitoringThresholdsSerializer,
)
from mlcore.monitoring.models import MonitoringThresholds
from swingtrade.accounts.permissions import IsAdmin, IsAnalyst
from swingtrade.errors import NotFound


class MonitoringReportListView(generics.ListAPIView):
    """Reports, newest first; ``?role=champion|challenger|none`` and ``?state=OK|WARN|CRITICAL`` filter."""

    permission_classes = [IsAnalyst]
    serializer_class = MonitoringReportSerializer

    def get_queryset(self):
        return monitoring_selectors.reports(
            role=self.request.query_params.get("role"), state=self.request.query_params.get("state")
        )


class MonitoringReportDetailView(generics.RetrieveAPIView):
    permission_classes = [IsAnalyst]
    serializer_class = MonitoringReportSerializer

    def get_object(self):
        return get_object_or_404(monitoring_selectors.reports(), pk=self.kwargs["pk"])


class MonitoringReportLatestView(APIView):
    """The newest report of the serving model, with the gate it implies."""

    permission_classes = [IsAnalyst]

    @extend_schema(responses={200: MonitoringReportLatestSerializer})
    def get(self, request: Request) -> Response:
        report = monitoring_selectors.latest_report()
        if report is None:
            raise NotFound("No monitoring run yet.")
        return Response({**MonitoringReportSerializer(report).data, "gate": gate.gate_state().as_dict()})


QUEUED_MONITORING_RUN = inline_serializer(
    "MonitoringRunQueued",
    {"task_id": drf_serializers.CharField(), "reports_url": drf_serializers.CharField()},
)


class MonitoringRunView(APIView):
    """Queue a monitoring run now (e.g. after fixing the data); ``as_of`` optional. 202 with the task."""

    permission_classes = [IsAdmin]

    @extend_schema(
        request=MonitoringRunSerializer,
        responses={202: QUEUED_MONITORING_RUN},
    )
    def post(self, request: Request) -> Response:
        serializer = MonitoringRunSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        as_of = serializer.validated_data.get("as_of")
        # Refused here, not in the worker: a bad day must answer 400 and queue nothing.
        monitoring_services.validate_as_of(as_of)
        result = monitoring_tasks.monitor.delay(as_of=as_of.isoformat() if as_of else None)
        return Response(
            {"task_id": result.id, "reports_url": reverse("monitoring-report-list")},
            status=status.HTTP_202_ACCEPTED,
        )


GATE_CLOSED_EXAMPLE = OpenApiExample(
    "Closed by a CRITICAL report (as an investor sees it)",
    value={
        "is_open": False,
        "state": "CRITICAL",
        "reason": "The champion's rank IC fell below the critical threshold.",
        "report_id": 42,
        "report_url": "/api/v1/monitoring/reports/42/",
        "report_as_of": "2026-11-27",
        "overridden": False,
        "override_expires_at": None,
    },
    response_only=True,
)
OVERRIDE_EXAMPLE = OpenApiExample(
    "Open the gate for four hours", value={"reason": "Data feed fixed, drift reviewed by hand.", "hours": 4}
)


class GateView(APIView):
    """Whether rankings are served now (any signed-in user: the site shows it as a banner).

    Investors get the state and a user-facing reason; who overrode the gate and why is for analysts.
    """

    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: GateStateSerializer}, examples=[GATE_CLOSED_EXAMPLE])
    def get(self, request: Request) -> Response:
        return Response(gate.gate_state().for_user(request.user))


class GateOverrideView(APIView):
    """POST opens a closed gate for ``hours`` with a ``reason``; DELETE ends the active override."""

    permission_classes = [IsAdmin]

    @extend_schema(
        request=GateOverrideInputSerializer,
        responses={201: GateOverrideSerializer},
        examples=[OVERRIDE_EXAMPLE],
    )
    def post(self, request: Request) -> Response:
        serializer = GateOverrideInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        override = gate.gate_override_create(user=request.user, **serializer.validated_data)
        return Response(GateOverrideSerializer(override).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: GateOverrideSerializer})
    def delete(self, request: Request) -> Response:
        override = gate.gate_override_revoke(user=request.user)
        return Response(GateOverrideSerializer(override).data)


class AlertListView(generics.ListAPIView):
    permission_classes = [IsAnalyst]
    serializer_class = AlertSerializer

    def get_queryset(self):
        return monitoring_selectors.alerts()


class MonitoringThresholdsView(APIView):
    """The alerting thresholds (one row); PATCH changes some, ranges validated (see the serializer)."""

    permission_classes = [IsAdmin]

    @extend_schema(responses={200: MonitoringThresholdsSerializer})
    def get(self, request: Request) -> Response:
        return Response(MonitoringThresholdsSerializer(MonitoringThresholds.load()).data)

    @extend_schema(request=MonitoringThresholdsSerializer, responses={200: MonitoringThresholdsSerializer})
    def patch(self, request: Request) -> Response:
        thresholds = MonitoringThresholds.load()
        serializer = MonitoringThresholdsSerializer(thresholds, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        serializer.save(updated_by=request.user)
        return Response(serializer.data)

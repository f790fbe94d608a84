from __future__ import annotations

from functools import partial

from django.db import transaction
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import generics, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from mlcore import tasks
from mlcore.api import serializers as s
from mlcore.models import ModelVersion, TrainingJob
from mlcore.registry import versions as registry
from mlcore.serving import cache as serving_cache
from mlcore.training import jobs
from swingtrade.accounts.permissions import IsAdmin, IsAnalyst
from swingtrade.conditional import not_modified, validators
from swingtrade.errors import DomainError

REASON_EXAMPLE = OpenApiExample(
    "A reason for the registry log", value={"reason": "Walk-forward IC reviewed, replaces a stale champion."}
)


class RankingView(APIView):
    """The champion's ordered buy and sell/short lists for a date (default: the latest with data)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(parameters=[s.RankingQuerySerializer], responses={200: s.RankingSerializer})
    def get(self, request: Request) -> Response:
        query = s.RankingQuerySerializer(data=request.query_params)
        if not query.is_valid():
            raise DomainError("Invalid query parameters.", details=query.errors)
        cached = serving_cache.ranking_lookup(**query.validated_data)
        # The ETag moves with the model, the data date and the gate (the cache key's generation).
        headers = validators(etag=cached.etag)
        if not_modified(request, etag=cached.etag):
            return Response(status=status.HTTP_304_NOT_MODIFIED, headers=headers)
        return Response(cached.body(lambda result: s.RankingSerializer(result).data), headers=headers)


class ModelVersionListView(generics.ListAPIView):
    permission_classes = [IsAnalyst]
    serializer_class = s.ModelVersionListSerializer
    queryset = ModelVersion.objects.select_related("trained_by", "promoted_by")


class ModelVersionDetailView(generics.RetrieveAPIView):
    permission_classes = [IsAnalyst]
    serializer_class = s.ModelVersionDetailSerializer
    queryset = ModelVersion.objects.select_related("trained_by", "promoted_by").prefetch_related(
        "events__actor"
    )


class ModelPromoteView(APIView):
    """Make this version the champion by hand (the previous champion is retired); logged with the reason."""

    permission_classes = [IsAdmin]

    @extend_schema(
        request=s.ReasonSerializer, responses={200: s.ModelVersionDetailSerializer}, examples=[REASON_EXAMPLE]
    )
    def post(self, request: Request, pk: int) -> Response:
        body = s.ReasonSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        version = registry.promote(
            registry.get_version(pk), user=request.user, reason=body.validated_data["reason"]
        )
        return Response(s.ModelVersionDetailSerializer(version, context={"request": request}).data)


class ModelRollbackView(APIView):
    """Retire the champion and restore the previous one; logged with the reason."""

    permission_classes = [IsAdmin]

    @extend_schema(
        request=s.ReasonSerializer, responses={200: s.ModelVersionDetailSerializer}, examples=[REASON_EXAMPLE]
    )
    def post(self, request: Request) -> Response:
        body = s.ReasonSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        version = registry.rollback(user=request.user, reason=body.validated_data["reason"])
        return Response(s.ModelVersionDetailSerializer(version, context={"request": request}).data)


class TrainView(APIView):
    """Queue a training; 202 with the job's URL to poll."""

    permission_classes = [IsAdmin]

    @extend_schema(request=s.TrainRequestSerializer, responses={202: s.TrainingJobSerializer})
    def post(self, request: Request) -> Response:
        body = s.TrainRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        job = jobs.training_job_create(user=request.user, **body.validated_data)
        transaction.on_commit(partial(tasks.run_training_job.delay, job.pk))
        data = s.TrainingJobSerializer(job, context={"request": request}).data
        return Response(data, status=status.HTTP_202_ACCEPTED, headers={"Location": str(data["url"])})


class TrainingJobView(generics.RetrieveAPIView):
    permission_classes = [IsAdmin]
    serializer_class = s.TrainingJobSerializer
    queryset = TrainingJob.objects.all()

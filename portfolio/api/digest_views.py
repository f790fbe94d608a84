"""``/notifications/digest/``: read or set the caller's daily-digest opt-in."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from portfolio.digest import digest_subscribe
from portfolio.models import NotificationPreference
from swingtrade.accounts.permissions import IsInvestor


class DigestPreferenceSerializer(serializers.Serializer):
    daily_digest = serializers.BooleanField()
    last_digest_on = serializers.DateField(read_only=True, allow_null=True)

    def to_internal_value(self, data):
        if not isinstance(data, dict) or not isinstance(data.get("daily_digest"), bool):
            raise serializers.ValidationError({"daily_digest": ["Must be true or false."]})
        return super().to_internal_value(data)


class DigestPreferenceView(APIView):
    permission_classes = [IsInvestor]

    @extend_schema(responses={200: DigestPreferenceSerializer})
    def get(self, request: Request) -> Response:
        preference = NotificationPreference.objects.filter(user=request.user).first()
        body = {"daily_digest": False, "last_digest_on": None} if preference is None else preference
        return Response(DigestPreferenceSerializer(body).data)

    @extend_schema(request=DigestPreferenceSerializer, responses={200: DigestPreferenceSerializer})
    def put(self, request: Request) -> Response:
        data = DigestPreferenceSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        preference = digest_subscribe(user=request.user, enabled=data.validated_data["daily_digest"])
        return Response(DigestPreferenceSerializer(preference).data)

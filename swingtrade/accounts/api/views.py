from __future__ import annotations

from django.contrib.auth.signals import user_logged_in
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView
from rest_framework_simplejwt.exceptions import InvalidToken, TokenError
from rest_framework_simplejwt.tokens import RefreshToken
from rest_framework_simplejwt.views import TokenObtainPairView

from swingtrade.accounts import services
from swingtrade.accounts.api.serializers import LogoutSerializer, SignUpSerializer, UserSerializer
from swingtrade.accounts.lockout import LockedOut, retry_after_seconds


class TokenObtainView(TokenObtainPairView):
    """Access and refresh tokens for a username and password; throttled, locked after repeated failures."""

    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "auth"

    def post(self, request: Request, *args, **kwargs) -> Response:
        serializer = self.get_serializer(data=request.data)
        try:
            serializer.is_valid(raise_exception=True)
        except TokenError as exc:
            raise InvalidToken(exc.args[0])
        # A token is a login: the signal lets django-axes clear the pair's failures, as the login form does.
        user_logged_in.send(sender=type(serializer.user), request=request, user=serializer.user)
        return Response(serializer.validated_data, status=status.HTTP_200_OK)

    def handle_exception(self, exc: Exception) -> Response:
        # django-axes marks the request once its (username, IP) pair is locked; the password is not checked.
        if getattr(self.request, "axes_locked_out", False):
            response = super().handle_exception(LockedOut())
            response["Retry-After"] = str(retry_after_seconds(self.request))
            return response
        return super().handle_exception(exc)


class SignUpView(APIView):
    """Create an account; every sign-up is an investor."""

    permission_classes = [AllowAny]
    authentication_classes: list = []
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "auth"

    @extend_schema(request=SignUpSerializer, responses={201: UserSerializer})
    def post(self, request: Request) -> Response:
        serializer = SignUpSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = services.user_create(**serializer.validated_data)
        return Response(UserSerializer(user).data, status=status.HTTP_201_CREATED)


class LogoutView(APIView):
    """Blacklist the refresh token so it can no longer mint access tokens."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=LogoutSerializer, responses={205: None})
    def post(self, request: Request) -> Response:
        serializer = LogoutSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            token = RefreshToken(serializer.validated_data["refresh"])
            if token.get("user_id") != str(request.user.pk) and token.get("user_id") != request.user.pk:
                return Response({"detail": "This refresh token belongs to another user."}, status=400)
            token.blacklist()
        except TokenError as exc:
            return Response({"detail": str(exc), "code": "token_not_valid"}, status=400)
        return Response(status=status.HTTP_205_RESET_CONTENT)


class MeView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: UserSerializer})
    def get(self, request: Request) -> Response:
        return Response(UserSerializer(request.user).data)

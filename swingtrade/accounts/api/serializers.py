from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from rest_framework import serializers


class SignUpSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    email = serializers.EmailField(required=False, allow_blank=True)
    password = serializers.CharField(write_only=True, min_length=8)

    def validate_username(self, value: str) -> str:
        if get_user_model().objects.filter(username__iexact=value).exists():
            raise serializers.ValidationError("This username is taken.")
        return value

    def validate(self, attrs: dict) -> dict:
        validate_password(attrs["password"], get_user_model()(username=attrs["username"]))
        return attrs


class LogoutSerializer(serializers.Serializer):
    refresh = serializers.CharField()


class UserSerializer(serializers.Serializer):
    """The signed-in user, read-only.

    A plain ``Serializer`` rather than a ``ModelSerializer``: DRF rebuilds a model serializer's fields from
    the model's metadata on every instantiation, which was about a third of ``GET /api/v1/auth/me/``'s
    CPU (cProfile, docs/architecture.md "Speed"). Declared fields are deep-copied instead, several times
    cheaper.
    """

    id = serializers.IntegerField(read_only=True)
    username = serializers.CharField(read_only=True)
    email = serializers.CharField(read_only=True, help_text="May be empty.")
    roles = serializers.ListField(source="role_names", child=serializers.CharField(), read_only=True)
    is_staff = serializers.BooleanField(read_only=True)
    date_joined = serializers.DateTimeField(read_only=True)

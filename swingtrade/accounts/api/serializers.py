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


class UserSerializer(serializers.ModelSerializer):
    roles = serializers.ListField(source="role_names", child=serializers.CharField(), read_only=True)
    email = serializers.CharField(read_only=True, help_text="May be empty.")

    class Meta:
        model = get_user_model()
        fields = ["id", "username", "email", "roles", "is_staff", "date_joined"]
        read_only_fields = fields

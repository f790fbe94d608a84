"""DRF permission classes expressing the roles; every endpoint reuses these."""

from __future__ import annotations

from typing import Any

from rest_framework.permissions import SAFE_METHODS, BasePermission

from swingtrade.accounts import roles


class IsInvestor(BasePermission):
    """Any authenticated user: every role can act on what it owns."""

    message = "Authentication required."

    def has_permission(self, request: Any, view: Any) -> bool:
        return bool(request.user and request.user.is_authenticated)


class IsAnalyst(BasePermission):
    message = "This endpoint is for analysts and administrators."

    def has_permission(self, request: Any, view: Any) -> bool:
        return roles.is_analyst(request.user)


class IsAdmin(BasePermission):
    message = "This endpoint is for administrators."

    def has_permission(self, request: Any, view: Any) -> bool:
        return roles.is_admin(request.user)


class ReadAuthenticatedWriteAdmin(BasePermission):
    """Reads for any authenticated user, writes for administrators."""

    message = "Only administrators may change this."

    def has_permission(self, request: Any, view: Any) -> bool:
        if not (request.user and request.user.is_authenticated):
            return False
        return request.method in SAFE_METHODS or roles.is_admin(request.user)


class IsOwner(BasePermission):
    """Object-level: the object's ``owner`` is the caller (querysets filter first, so others get 404)."""

    def has_object_permission(self, request: Any, view: Any, obj: Any) -> bool:
        return getattr(obj, "owner_id", None) == request.user.pk

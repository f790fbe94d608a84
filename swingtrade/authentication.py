"""JWT authentication whose user lookup costs one cache read instead of two database queries.

Profiled (pyinstrument, ``/api/v1/auth/me/`` on PostgreSQL): the user row and its groups (the roles
every permission check reads) were the two queries of a trivial authenticated call, most of its time.
The user is cached with its groups for :data:`USER_CACHE_SECONDS`; any save or delete of the user and
any change of its groups deletes the entry at once (``connect_invalidation``), so deactivating a
user or changing a role takes effect on the next request, not after the timeout.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import transaction
from django.db.models import prefetch_related_objects
from django.db.models.signals import m2m_changed, post_delete, post_save
from rest_framework_simplejwt.authentication import JWTAuthentication
from rest_framework_simplejwt.exceptions import AuthenticationFailed, InvalidToken
from rest_framework_simplejwt.settings import api_settings

USER_CACHE_SECONDS = 60


def _key(user_id: Any) -> str:
    return f"auth:jwt-user:{user_id}"


class CachedUserJWTAuthentication(JWTAuthentication):
    """simplejwt's ``JWTAuthentication`` with the user (and its groups) read through the cache."""

    def get_user(self, validated_token: Any) -> Any:
        try:
            user_id = validated_token[api_settings.USER_ID_CLAIM]
        except KeyError:
            raise InvalidToken("Token contained no recognizable user identification")
        user = cache.get(_key(user_id))
        if user is None:
            user = super().get_user(validated_token)  # unknown or inactive: AuthenticationFailed
            # Roles are read from the groups on every permission check: cache them with the row.
            prefetch_related_objects([user], "groups")
            cache.set(_key(user_id), user, USER_CACHE_SECONDS)
        if not user.is_active:
            raise AuthenticationFailed("User is inactive", code="user_inactive")
        return user


def forget_user(user_id: Any) -> None:
    """Drop the cached row now and once more when the transaction commits (a read in between may
    have cached the old row)."""
    cache.delete(_key(user_id))
    transaction.on_commit(lambda: cache.delete(_key(user_id)))


def _on_user_change(sender: Any, instance: Any, **kwargs: Any) -> None:
    forget_user(instance.pk)


def _on_groups_change(
    sender: Any, instance: Any, action: str, reverse: bool, pk_set: Any, **kwargs: Any
) -> None:
    if not reverse:  # user.groups.add/remove/clear(...)
        if action.startswith("post_"):
            forget_user(instance.pk)
    elif action in ("post_add", "post_remove"):  # group.user_set.add/remove(...): users in pk_set
        for user_id in pk_set:
            forget_user(user_id)
    elif action == "pre_clear":  # group.user_set.clear(): the users are known only before
        for user_id in instance.user_set.values_list("pk", flat=True):
            forget_user(user_id)


def connect_invalidation() -> None:
    user_model = get_user_model()
    post_save.connect(_on_user_change, sender=user_model, dispatch_uid="auth.jwt_user_cache.save")
    post_delete.connect(_on_user_change, sender=user_model, dispatch_uid="auth.jwt_user_cache.delete")
    m2m_changed.connect(
        _on_groups_change, sender=user_model.groups.through, dispatch_uid="auth.jwt_user_cache.groups"
    )

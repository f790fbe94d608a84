"""The admin role's access to mlcore's admin pages, shared by the registry and monitoring admins."""

from __future__ import annotations

from swingtrade.accounts import roles


class AdminRoleMixin:
    """Users with the admin role see these pages without per-model Django permissions (roles are groups)."""

    def has_module_permission(self, request) -> bool:
        return roles.is_admin(request.user) or super().has_module_permission(request)

    def has_view_permission(self, request, obj=None) -> bool:
        return roles.is_admin(request.user) or super().has_view_permission(request, obj)

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from swingtrade.accounts.models import User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ("username", "email", "roles", "is_staff", "is_active", "last_login")
    list_filter = ("groups", "is_staff", "is_active", "language")
    # The language the user's e-mails are written in (set by the site's switcher while signed in).
    fieldsets = (*BaseUserAdmin.fieldsets, ("E-mails", {"fields": ("language",)}))

    @admin.display(description="roles")
    def roles(self, obj: User) -> str:
        return ", ".join(obj.role_names) or "—"

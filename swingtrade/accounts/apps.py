from __future__ import annotations

from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "swingtrade.accounts"
    label = "accounts"
    verbose_name = "Accounts and roles"

    def ready(self) -> None:
        from swingtrade.authentication import connect_invalidation

        # In every process (web, worker, shell): a user changed anywhere is dropped from the JWT cache.
        connect_invalidation()

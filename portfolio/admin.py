from __future__ import annotations

from django.contrib import admin

from portfolio.models import CostProfile, OrderProposal, Portfolio, Position, Trade


@admin.register(CostProfile)
class CostProfileAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "owner",
        "is_preset",
        "commission_rate",
        "commission_min",
        "commission_max",
        "ftt_rate",
    ]
    list_filter = ["is_preset"]
    search_fields = ["name", "owner__username"]


class PositionInline(admin.TabularInline):
    model = Position
    extra = 0
    readonly_fields = ["ticker", "quantity", "average_cost", "opened_on"]
    can_delete = False


@admin.register(Portfolio)
class PortfolioAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "owner",
        "base_currency",
        "cash",
        "allow_short",
        "max_gross_exposure",
        "cost_profile",
    ]
    list_filter = ["allow_short", "base_currency"]
    search_fields = ["name", "owner__username"]
    inlines = [PositionInline]


@admin.register(Position)
class PositionAdmin(admin.ModelAdmin):
    list_display = ["portfolio", "ticker", "quantity", "average_cost", "opened_on"]
    search_fields = ["portfolio__name", "ticker__symbol"]


@admin.register(Trade)
class TradeAdmin(admin.ModelAdmin):
    """Trades change cash and positions through the service only: read-only here."""

    list_display = ["traded_on", "portfolio", "ticker", "side", "quantity", "price", "fees", "realised_pnl"]
    list_filter = ["side"]
    search_fields = ["portfolio__name", "ticker__symbol"]
    date_hierarchy = "traded_on"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(OrderProposal)
class OrderProposalAdmin(admin.ModelAdmin):
    list_display = [
        "as_of",
        "portfolio",
        "ticker",
        "action",
        "side",
        "order_type",
        "quantity",
        "fill_probability",
        "expected_net_return",
        "status",
    ]
    list_filter = ["status", "action", "order_type"]
    search_fields = ["portfolio__name", "ticker__symbol"]
    date_hierarchy = "as_of"


from portfolio.replay import admin as replay_admin  # noqa: E402,F401  (registers ReplayRun)

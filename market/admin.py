"""Admin: tickers, bars (read-only: prices change only through audited ingestion), ingestion runs
(read-only, with their rejected/flagged rows and revisions), a re-run action, a CSV upload form, and
the rejected/flagged rows with the tickers held out of scoring and a "confirm the bar" action."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy

from market import jobs, selectors, services, validation
from market.models import BarRevision, DailyBar, IngestionIssue, IngestionRun, Ticker
from swingtrade.accounts import roles
from swingtrade.errors import DomainError


class AdminRoleMixin:
    """The product's admin role (a group, not Django model permissions) opens these pages."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return roles.is_admin(request.user)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return roles.is_admin(request.user)


class ReadOnlyMixin:
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Ticker)
class TickerAdmin(AdminRoleMixin, admin.ModelAdmin):
    list_display = (
        "symbol",
        "name",
        "sector",
        "exchange",
        "currency",
        "is_active",
        "first_bar_date",
        "last_bar_date",
    )
    list_filter = ("is_active", "sector", "currency")
    search_fields = ("symbol", "name")
    readonly_fields = ("first_bar_date", "last_bar_date", "created_at", "updated_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return roles.is_admin(request.user)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return roles.is_admin(request.user)


@admin.register(DailyBar)
class DailyBarAdmin(AdminRoleMixin, ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("ticker", "date", "open", "high", "low", "close", "adj_close", "volume", "split_factor")
    list_filter = ("ticker__sector", ("date", admin.DateFieldListFilter))
    list_select_related = ("ticker",)
    search_fields = ("ticker__symbol",)
    date_hierarchy = "date"
    ordering = ("-date", "ticker__symbol")
    show_full_result_count = False  # COUNT(*) over a million bars on every page is wasted time


class IssueDetailMixin:
    @admin.display(description=gettext_lazy("detail"))
    def detail_text(self, issue: IngestionIssue) -> str:
        """The stored English detail in the reader's language (market.validation.issue_text)."""
        return validation.issue_text(issue.detail)


class IssueInline(IssueDetailMixin, ReadOnlyMixin, admin.TabularInline):
    model = IngestionIssue
    fields = ("severity", "reason", "ticker", "date", "line", "detail_text")
    readonly_fields = fields
    extra = 0
    max_num = 0


class RevisionInline(ReadOnlyMixin, admin.TabularInline):
    model = BarRevision
    fields = ("bar", "changed_at", "old_values", "new_values")
    readonly_fields = fields
    extra = 0
    max_num = 0

    def get_queryset(self, request: HttpRequest) -> QuerySet[BarRevision]:
        return super().get_queryset(request).select_related("bar__ticker")


class BreakFilter(admin.SimpleListFilter):
    title = "price break"
    parameter_name = "break"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("unconfirmed", "unconfirmed (may hold out)"), ("confirmed", "confirmed by an admin")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[IngestionIssue]) -> QuerySet[IngestionIssue]:
        if self.value() == "unconfirmed":
            return queryset.filter(pk__in=selectors.unconfirmed_breaks().values("pk"))
        if self.value() == "confirmed":
            return queryset.filter(confirmed_at__isnull=False)
        return queryset


@admin.register(IngestionIssue)
class IngestionIssueAdmin(IssueDetailMixin, AdminRoleMixin, ReadOnlyMixin, admin.ModelAdmin):
    """Rejected and flagged rows of every run; the page says which tickers are held out of scoring."""

    list_display = (
        "run",
        "severity",
        "reason",
        "ticker",
        "date",
        "line",
        "detail_text",
        "confirmed_by",
        "confirmed_at",
    )
    list_filter = (BreakFilter, "severity", "reason")
    list_select_related = ("confirmed_by",)
    search_fields = ("ticker",)
    readonly_fields = [f.name for f in IngestionIssue._meta.fields]
    actions = ["confirm_breaks"]

    def changelist_view(self, request: HttpRequest, extra_context: dict | None = None) -> HttpResponse:
        as_of = selectors.latest_bar_date()
        held_out = selectors.held_out_tickers(as_of) if as_of else {}
        for symbol, reason in sorted(held_out.items()):
            self.message_user(
                request, f"Held out of scoring and optimisation: {symbol}: {reason}.", messages.WARNING
            )
        return super().changelist_view(request, extra_context)

    @admin.action(
        description="Confirm the selected price breaks as genuine (score the tickers again)",
        permissions=["view"],
    )
    def confirm_breaks(self, request: HttpRequest, queryset: QuerySet[IngestionIssue]) -> None:
        confirmed = services.confirm_breaks(issues=queryset, user=request.user)
        self.message_user(request, f"{confirmed} price break flag(s) confirmed.", messages.SUCCESS)


class CsvUploadForm(forms.Form):
    file = forms.FileField(
        help_text="date,ticker,close[,open,high,low,adj_close,volume,dividend,split_factor]; .csv or .csv.gz"
    )
    create_tickers = forms.BooleanField(
        required=False,
        help_text="Create tickers that are not in the database yet (otherwise their rows are rejected).",
    )


@admin.register(IngestionRun)
class IngestionRunAdmin(AdminRoleMixin, ReadOnlyMixin, admin.ModelAdmin):
    list_display = (
        "id",
        "source",
        "status",
        "started_at",
        "duration",
        "inserted",
        "updated",
        "unchanged",
        "rejected",
        "flagged",
        "started_by",
    )
    list_filter = ("status", "source", ("started_at", admin.DateFieldListFilter))
    list_select_related = ("started_by",)
    search_fields = ("=id", "error")
    readonly_fields = [f.name for f in IngestionRun._meta.fields]
    inlines = [IssueInline, RevisionInline]
    actions = ["rerun"]
    change_list_template = "admin/market/ingestionrun/change_list.html"

    @admin.display(description="duration")
    def duration(self, run: IngestionRun) -> str:
        seconds = run.duration_seconds
        return "—" if seconds is None else f"{seconds:.1f} s"

    @admin.action(
        description="Re-run the selected ingestion runs with the same parameters", permissions=["view"]
    )
    def rerun(self, request: HttpRequest, queryset: QuerySet[IngestionRun]) -> None:
        for run in queryset:
            try:
                new = services.rerun(run=run, user=request.user)
            except DomainError as exc:
                self.message_user(request, exc.message, messages.ERROR)
                continue
            except Exception as exc:  # the new run is recorded as failed; say so and go on
                self.message_user(request, f"Re-run of #{run.pk} failed: {exc}", messages.ERROR)
                continue
            self.message_user(
                request,
                format_html(
                    'Run #{} repeated as <a href="{}">#{}</a>: '
                    "{} inserted, {} updated, {} unchanged, {} rejected.",
                    run.pk,
                    reverse("admin:market_ingestionrun_change", args=[new.pk]),
                    new.pk,
                    new.inserted,
                    new.updated,
                    new.unchanged,
                    new.rejected,
                ),
                messages.SUCCESS,
            )

    def get_urls(self) -> list:
        return [
            path("upload/", self.admin_site.admin_view(self.upload_view), name="market_ingestionrun_upload"),
            *super().get_urls(),
        ]

    def upload_view(self, request: HttpRequest) -> HttpResponse:
        if not roles.is_admin(request.user):
            raise PermissionDenied
        form = CsvUploadForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                run = jobs.csv_upload_start(
                    content=upload.read(),
                    filename=upload.name,
                    user=request.user,
                    allow_create_tickers=form.cleaned_data["create_tickers"],
                )
            except DomainError as exc:
                form.add_error("file", exc.message)
            else:
                self.message_user(request, f"Upload accepted as ingestion run #{run.pk}.", messages.SUCCESS)
                return HttpResponseRedirect(reverse("admin:market_ingestionrun_change", args=[run.pk]))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "form": form,
            "title": "Upload a CSV of daily bars",
        }
        return TemplateResponse(request, "admin/market/ingestionrun/upload_csv.html", context)

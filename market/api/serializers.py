from __future__ import annotations

from rest_framework import serializers

from market.columns import BAR_VALUE_FIELDS
from market.models import BarRevision, DailyBar, IngestionIssue, IngestionRun, Ticker


class TickerSerializer(serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(
        view_name="market-api:ticker-detail", lookup_field="symbol", lookup_url_kwarg="symbol"
    )
    bars_url = serializers.HyperlinkedIdentityField(
        view_name="market-api:ticker-bars", lookup_field="symbol", lookup_url_kwarg="symbol"
    )

    class Meta:
        model = Ticker
        fields = [
            "symbol",
            "name",
            "sector",
            "exchange",
            "currency",
            "is_active",
            "first_bar_date",
            "last_bar_date",
            "url",
            "bars_url",
        ]


class BarSerializer(serializers.ModelSerializer):
    """One bar as the bars page sends it (response only: the view sends the selector's plain values)."""

    class Meta:
        model = DailyBar
        fields = ["date", *BAR_VALUE_FIELDS]


class TickerBarsSerializer(serializers.Serializer):
    """The body of ``GET /tickers/{symbol}/bars/`` (response only): the window asked, one page of bars."""

    ticker = serializers.CharField()
    start = serializers.DateField(allow_null=True, help_text="The first day asked for, null for no bound.")
    end = serializers.DateField(allow_null=True, help_text="The last day asked for, null for no bound.")
    limit = serializers.IntegerField(help_text="The page size asked for.")
    count = serializers.IntegerField(help_text="The number of bars in `bars`.")
    older = serializers.URLField(allow_null=True, help_text="The page before this one, null on the first.")
    bars = BarSerializer(many=True)


class IngestionIssueSerializer(serializers.ModelSerializer):
    class Meta:
        model = IngestionIssue
        fields = ["severity", "reason", "ticker", "date", "line", "detail"]


class BarRevisionSerializer(serializers.ModelSerializer):
    ticker = serializers.CharField(source="bar.ticker.symbol")
    date = serializers.DateField(source="bar.date")

    class Meta:
        model = BarRevision
        fields = ["ticker", "date", "changed_at", "old_values", "new_values"]


class IngestionRunSerializer(serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="market-api:ingestion-run-detail")
    started_by = serializers.CharField(source="started_by.username", default=None, allow_null=True)

    class Meta:
        model = IngestionRun
        fields = [
            "id",
            "url",
            "source",
            "status",
            "params",
            "started_by",
            "started_at",
            "finished_at",
            "duration_seconds",
            "rows_total",
            "inserted",
            "updated",
            "unchanged",
            "rejected",
            "flagged",
            "issue_counts",
            "failed_tickers",
            "error",
        ]


class IngestionRunDetailSerializer(IngestionRunSerializer):
    issues = IngestionIssueSerializer(many=True, read_only=True)
    revisions = serializers.SerializerMethodField()

    class Meta(IngestionRunSerializer.Meta):
        fields = [*IngestionRunSerializer.Meta.fields, "issues", "revisions"]

    def get_revisions(self, run: IngestionRun) -> list[dict]:
        revisions = run.revisions.select_related("bar__ticker").order_by("bar__ticker__symbol", "bar__date")
        return BarRevisionSerializer(revisions[: self.context.get("max_revisions", 1000)], many=True).data


#: Bars per page of ``tickers/{symbol}/bars/`` by default (a calendar year holds at most 253 sessions;
#: a 500-bar page cost 6.4 ms of server CPU in bench/api.py, 0.24x the trivial endpoint) and at most.
BARS_PAGE_DEFAULT = 260
BARS_PAGE_MAX = 5000


class BarsQuerySerializer(serializers.Serializer):
    start = serializers.CharField(required=False, allow_blank=True)
    end = serializers.CharField(required=False, allow_blank=True)
    limit = serializers.IntegerField(
        required=False, min_value=1, max_value=BARS_PAGE_MAX, default=BARS_PAGE_DEFAULT
    )


class YahooRequestSerializer(serializers.Serializer):
    source = serializers.ChoiceField(choices=["yahoo"], default="yahoo")
    symbols = serializers.ListField(child=serializers.CharField(max_length=16), allow_empty=False)
    start = serializers.CharField()
    end = serializers.CharField(required=False, allow_blank=True, allow_null=True)


class CsvUploadSerializer(serializers.Serializer):
    file = serializers.FileField()
    create_tickers = serializers.BooleanField(default=False)

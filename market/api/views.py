"""Market API: tickers and bars for any authenticated user; ingestion runs for administrators."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from urllib.parse import urlencode

from django.db.models import Prefetch, QuerySet
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import generics, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from market import jobs, selectors, services
from market.api import serializers as s
from market.models import IngestionRun, Ticker
from market.sources import normalise_symbol
from swingtrade.accounts.permissions import IsAdmin, IsInvestor
from swingtrade.conditional import not_modified, validators
from swingtrade.errors import NotFound
from swingtrade.parsers import JSONParser


def _ticker(symbol: str) -> Ticker:
    try:
        return Ticker.objects.get(symbol=normalise_symbol(symbol))
    except Ticker.DoesNotExist:
        raise NotFound(f"Unknown ticker {symbol!r}.")


class TickerListView(generics.ListAPIView):
    """Tickers, optionally ``?sector=`` or ``?active=true|false``."""

    permission_classes = [IsInvestor]
    serializer_class = s.TickerSerializer

    def get_queryset(self) -> QuerySet[Ticker]:
        qs = selectors.tickers_queryset()
        if sector := self.request.query_params.get("sector"):
            qs = qs.filter(sector__iexact=sector)
        if (active := self.request.query_params.get("active")) in {"true", "false"}:
            qs = qs.filter(is_active=active == "true")
        return qs


BARS_EXAMPLE = OpenApiExample(
    "Two sessions of one ticker",
    value={
        "ticker": "AI.PA",
        "start": "2026-11-26",
        "end": "2026-11-27",
        "limit": 260,
        "count": 2,
        "older": None,
        "bars": [
            {
                "date": "2026-11-26",
                "open": 171.2,
                "high": 173.04,
                "low": 170.66,
                "close": 172.5,
                "adj_close": 172.5,
                "volume": 612345,
                "dividend": 0.0,
                "split_factor": 1.0,
            },
            {
                "date": "2026-11-27",
                "open": 172.4,
                "high": 172.9,
                "low": 170.1,
                "close": 170.78,
                "adj_close": 170.78,
                "volume": 584102,
                "dividend": 0.0,
                "split_factor": 1.0,
            },
        ],
    },
    response_only=True,
)


class TickerDetailView(APIView):
    permission_classes = [IsInvestor]

    @extend_schema(responses={200: s.TickerSerializer})
    def get(self, request: Request, symbol: str) -> Response:
        return Response(s.TickerSerializer(_ticker(symbol), context={"request": request}).data)


class TickerBarsView(APIView):
    """Daily bars of one ticker, a page at a time, oldest first within the page.

    ``?start=&end=`` (inclusive, both optional) bound the window; a page holds its newest ``limit``
    bars (default 260: a calendar year of sessions fits; at most 5,000), and ``older`` is the URL of
    the page before it (``null`` on the first). ``ETag``/``Last-Modified`` follow the last ingestion
    that wrote bars, so a client holding the page gets a 304 until the data changes.
    """

    permission_classes = [IsInvestor]

    @extend_schema(
        parameters=[s.BarsQuerySerializer],
        responses={200: s.TickerBarsSerializer, 304: None},  # 304: the client's ETag is still current
        examples=[BARS_EXAMPLE],
    )
    def get(self, request: Request, symbol: str) -> Response:
        query = s.BarsQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        start = services.parse_date(query.validated_data.get("start"), name="start")
        end = services.parse_date(query.validated_data.get("end"), name="end")
        services.check_date_range(start, end)
        limit = query.validated_data["limit"]
        ticker = _ticker(symbol)
        written = selectors.latest_write()
        etag = bars_etag(ticker, start=start, end=end, limit=limit, written=written)
        headers = validators(etag=etag, last_modified=written.finished_at if written else None)
        if not_modified(request, etag=etag, last_modified=written.finished_at if written else None):
            return Response(status=status.HTTP_304_NOT_MODIFIED, headers=headers)
        page = selectors.ticker_bars_page(ticker=ticker, start=start, end=end, limit=limit)
        older = None
        if page.has_older:
            params = {"end": (page.bars[0]["date"] - timedelta(days=1)).isoformat(), "limit": limit}
            if start is not None:
                params["start"] = start.isoformat()
            older = request.build_absolute_uri(f"{request.path}?{urlencode(params)}")
        body = {
            "ticker": ticker.symbol,
            "start": start,
            "end": end,
            "limit": limit,
            "count": len(page.bars),
            "older": older,
            "bars": page.bars,  # plain dicts of values(): no serializer work per row
        }
        return Response(body, headers=headers)


def bars_etag(ticker: Ticker, *, start, end, limit: int, written: IngestionRun | None) -> str:
    """What a page depends on: the request, the ticker's stored span, and the last run that wrote bars."""
    parts = [ticker.pk, ticker.first_bar_date, ticker.last_bar_date, start, end, limit]
    parts.append(written.pk if written else None)
    return '"' + hashlib.sha256(repr(parts).encode()).hexdigest()[:32] + '"'


class IngestionRunListCreateView(generics.ListAPIView):
    """GET: the runs, newest first. POST: a CSV upload (multipart ``file``) or a Yahoo request (JSON
    ``{"symbols": [...], "start": "YYYY-MM-DD", "end": ...}``); answers 202 with the run's URL."""

    permission_classes = [IsAdmin]
    serializer_class = s.IngestionRunSerializer
    parser_classes = [JSONParser, MultiPartParser, FormParser]  # the project's JSON parser (depth, NUL)

    def get_queryset(self) -> QuerySet[IngestionRun]:
        qs = selectors.runs_queryset()
        if run_status := self.request.query_params.get("status"):
            qs = qs.filter(status=run_status)
        return qs

    @extend_schema(
        request={"application/json": s.YahooRequestSerializer, "multipart/form-data": s.CsvUploadSerializer},
        responses={202: s.IngestionRunSerializer},
    )
    def post(self, request: Request) -> Response:
        if "file" in request.FILES:
            upload = s.CsvUploadSerializer(data=request.data)
            upload.is_valid(raise_exception=True)
            file = upload.validated_data["file"]
            run = jobs.csv_upload_start(
                content=file.read(),
                filename=file.name,
                user=request.user,
                allow_create_tickers=upload.validated_data["create_tickers"],
            )
        else:
            yahoo = s.YahooRequestSerializer(data=request.data)
            yahoo.is_valid(raise_exception=True)
            data = yahoo.validated_data
            run = jobs.yahoo_request_start(
                symbols=data["symbols"], start=data["start"], end=data.get("end"), user=request.user
            )
        run.refresh_from_db()
        body = s.IngestionRunSerializer(run, context={"request": request}).data
        return Response(body, status=status.HTTP_202_ACCEPTED, headers={"Location": str(body["url"])})


class IngestionRunDetailView(generics.RetrieveAPIView):
    permission_classes = [IsAdmin]
    serializer_class = s.IngestionRunDetailSerializer

    def get_queryset(self) -> QuerySet[IngestionRun]:
        return selectors.runs_queryset().prefetch_related(Prefetch("issues"))

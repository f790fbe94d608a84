"""The Track record page: the latest replay of the product's advice against the simple alternatives."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from portfolio.replay import services
from swingtrade.web.track_record import track_record_context


@login_required
def track_record(request: HttpRequest) -> HttpResponse:
    run = services.latest_replay()
    context = track_record_context(run) if run is not None else {"run": None}
    return render(request, "portfolio/track_record.html", context)

from __future__ import annotations

import io
import json
import logging

import pytest
from pythonjsonlogger.json import JsonFormatter

from swingtrade.logging import RequestContextFilter

pytestmark = pytest.mark.django_db


@pytest.fixture
def json_lines():
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    handler.addFilter(RequestContextFilter())
    logger = logging.getLogger("swingtrade.request")
    previous = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines() if line.strip()]
    logger.removeHandler(handler)
    logger.setLevel(previous)


def test_every_api_call_logs_one_json_line_with_request_id_user_and_duration(
    investor_client, investor, json_lines
):
    response = investor_client.get("/api/v1/auth/me/", HTTP_X_REQUEST_ID="req-42")
    assert response["X-Request-ID"] == "req-42"
    (line,) = [entry for entry in json_lines() if entry["message"] == "api_call"]
    assert line["request_id"] == "req-42"
    assert line["user_id"] == investor.pk
    assert line["status"] == 200
    assert line["path"] == "/api/v1/auth/me/"
    assert line["duration_ms"] >= 0


def test_an_unsafe_request_id_is_replaced(client, json_lines):
    response = client.get("/api/v1/auth/me/", HTTP_X_REQUEST_ID="bad id\nwith newline")
    assert response.status_code == 401
    assert response["X-Request-ID"] != "bad id\nwith newline"
    (line,) = [entry for entry in json_lines() if entry["message"] == "api_call"]
    assert line["user_id"] is None
    assert len(line["request_id"]) == 32

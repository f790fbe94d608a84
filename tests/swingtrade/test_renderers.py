"""The orjson renderer writes what DRF's JSONRenderer wrote, for the types the API returns."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal

import numpy as np
from django.utils.translation import gettext_lazy
from rest_framework.renderers import JSONRenderer

from swingtrade.renderers import ORJSONRenderer

SAMPLE = {
    "when": datetime(2021, 4, 21, 13, 30, tzinfo=UTC),
    "day": date(2021, 4, 21),
    "money": Decimal("1234.50"),
    "lazy": gettext_lazy("Authentication required."),
    "numpy": np.float64(0.25),
    "rows": [{"close": 133.5, "volume": 94_812_300, "name": "Société Générale"}],
    7: "an integer key",
}


def test_it_writes_the_same_json_as_drf():
    ours = json.loads(ORJSONRenderer().render(SAMPLE))
    drf = json.loads(JSONRenderer().render(SAMPLE))
    assert ours == drf
    assert ours["when"] == "2021-04-21T13:30:00Z" and ours["money"] == 1234.5


def test_an_indented_answer_is_still_indented():
    body = ORJSONRenderer().render({"a": 1}, "application/json; indent=4", {})
    assert body == b'{\n    "a": 1\n}'


def test_the_api_answers_with_it(investor_client):
    response = investor_client.get("/api/v1/auth/me/")
    assert response.status_code == 200
    assert isinstance(response.accepted_renderer, ORJSONRenderer)
    assert response["Content-Type"] == "application/json"

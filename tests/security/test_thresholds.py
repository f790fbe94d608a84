"""Finding 7: monitoring thresholds that would switch alerting off are refused, by the API and the model."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from mlcore.monitoring.models import THRESHOLD_RANGES, MonitoringThresholds

pytestmark = pytest.mark.django_db
URL = "/api/v1/monitoring/thresholds/"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("critical_t", 1e308),
        ("warn_t", 0.0),
        ("psi_threshold", 0),
        ("coverage_critical", 0),
        ("drift_share_warn", 0),
        ("long_window", 10**9),
        ("alert_max_emails", 10**6),
        ("override_max_hours", 10**6),
        ("critical_t", True),
        ("short_window", False),
    ],
)
def test_the_api_refuses_values_that_switch_alerting_off(admin_client_api, field, value):
    before = admin_client_api.get(URL).json()
    response = admin_client_api.patch(URL, {field: value}, format="json")
    assert response.status_code == 400, response.content
    body = response.json()
    assert field in body["errors"]
    assert admin_client_api.get(URL).json() == before


def test_a_value_inside_its_range_is_accepted(admin_client_api):
    response = admin_client_api.patch(URL, {"critical_t": 3.0, "psi_threshold": 0.3}, format="json")
    assert response.status_code == 200, response.content
    assert MonitoringThresholds.load().critical_t == 3.0


def test_the_model_clean_applies_the_same_ranges_for_the_admin_form():
    row = MonitoringThresholds.load()
    row.psi_threshold = 0.0
    row.critical_t = 1e308
    with pytest.raises(ValidationError) as caught:
        row.full_clean(exclude=["updated_by"])
    assert set(caught.value.message_dict) >= {"psi_threshold", "critical_t"}


def test_every_range_holds_the_shipped_defaults(settings):
    for name, (low, high) in THRESHOLD_RANGES.items():
        assert low <= settings.MONITORING_DEFAULTS[name] <= high, name

"""The OpenAPI schema: served at /api/v1/schema/, every operation with its roles and error bodies; the
Swagger UI and ReDoc pages load nothing from outside the site."""

from __future__ import annotations

import re

import pytest
import yaml
from django.core.management import call_command

pytestmark = pytest.mark.django_db


@pytest.fixture
def schema(api_client) -> dict:
    response = api_client.get("/api/v1/schema/")
    assert response.status_code == 200
    return yaml.safe_load(response.content)


def test_the_schema_is_openapi_3_and_lists_the_api(schema):
    assert schema["openapi"].startswith("3.")
    for path in ("/api/v1/auth/token/", "/api/v1/audit/", "/api/v1/portfolios/", "/api/v1/rankings/"):
        assert path in schema["paths"], path
    assert not any("schema" in path for path in schema["paths"])


def test_every_operation_documents_the_error_body_and_its_roles(schema):
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            responses = operation["responses"]
            for status in ("400", "401", "403", "404", "413", "429", "503"):
                content = responses[status]["content"]["application/json"]["schema"]
                assert content == {"$ref": "#/components/schemas/ErrorBody"}, (path, method, status)
            assert "**Roles:**" in operation["description"], (path, method)
    audit = schema["paths"]["/api/v1/audit/"]["get"]
    assert "**Roles:** admin." in audit["description"]


@pytest.mark.parametrize("page", ["/api/v1/schema/swagger/", "/api/v1/schema/redoc/"])
def test_the_documentation_pages_load_only_the_sites_own_files(client, page):
    response = client.get(page)
    assert response.status_code == 200
    html = response.content.decode()
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert sources and all(src.startswith("/") for src in sources), sources
    assert not re.search(r"<script>(?!\s*</script>)", html)  # no inline script
    assert "script-src 'self'" in response["Content-Security-Policy"]


def test_the_schema_builds_without_a_warning_and_validates(tmp_path):
    # drf-spectacular warns on a view whose body it cannot type (a plain APIView without extend_schema),
    # an unresolvable field or an ambiguous enum name: any of them fails here.
    out = tmp_path / "schema.yml"
    call_command("spectacular", "--fail-on-warn", "--validate", "--file", str(out))
    assert "/api/v1/tickers/{symbol}/bars/" in yaml.safe_load(out.read_text())["paths"]


def _response_schema(schema: dict, path: str, method: str, status: str) -> dict:
    ref = schema["paths"][path][method]["responses"][status]["content"]["application/json"]["schema"]["$ref"]
    return schema["components"]["schemas"][ref.rsplit("/", 1)[-1]]


@pytest.mark.parametrize(
    ("path", "method", "status", "fields"),
    [
        ("/api/v1/tickers/{symbol}/", "get", "200", {"symbol", "bars_url"}),
        ("/api/v1/tickers/{symbol}/bars/", "get", "200", {"ticker", "start", "end", "count", "bars"}),
        ("/api/v1/rankings/", "get", "200", {"as_of", "buys", "sells", "model_version"}),
        ("/api/v1/models/{id}/promote/", "post", "200", {"status", "promoted_by"}),
        ("/api/v1/models/rollback/", "post", "200", {"status", "promoted_by"}),
        ("/api/v1/monitoring/gate/", "get", "200", {"is_open", "state", "reason"}),
        ("/api/v1/monitoring/override/", "post", "201", {"reason", "expires_at"}),
        ("/api/v1/monitoring/reports/latest/", "get", "200", {"state", "metrics", "gate"}),
        ("/api/v1/monitoring/thresholds/", "get", "200", {"psi_threshold", "critical_t"}),
    ],
)
def test_the_formerly_untyped_views_declare_their_bodies(schema, path, method, status, fields):
    assert fields <= set(_response_schema(schema, path, method, status)["properties"])

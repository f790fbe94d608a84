"""Finding 8: a Content-Security-Policy on every page, and no Django debug page outside development."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.test import Client

from tests.security.processes import production_env, run_python

pytestmark = pytest.mark.django_db
TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


def test_every_page_carries_a_policy_that_allows_only_the_sites_own_files(investor):
    browser = Client()
    browser.force_login(investor)
    for path in ("/", "/accounts/login/", "/no-such-page/", "/api/v1/auth/me/"):
        policy = browser.get(path)["Content-Security-Policy"]
        directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
        assert directives["default-src"] == "'self'"
        assert directives["script-src"] == "'self'"
        assert directives["frame-ancestors"] == "'none'"
        assert "http" not in policy and "unsafe-eval" not in policy


def test_no_template_has_an_inline_script_or_event_handler_the_policy_would_block():
    for template in TEMPLATES.rglob("*.html"):
        text = template.read_text()
        inline_scripts = [
            tag
            for tag in re.findall(r"<script\b[^>]*>", text)
            if "src=" not in tag and "application/json" not in tag
        ]
        assert not inline_scripts, f"{template}: {inline_scripts}"
        assert not re.search(r"\son[a-z]+\s*=", text), f"{template} has an inline event handler"


ERROR_PAGES = """
import django
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from django.test import Client
from django.test.utils import override_settings
# No collectstatic here: plain static storage instead of the manifest (the pages are what is tested).
plain = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
override_settings(STORAGES={"default": plain, "staticfiles": plain}).enable()
client = Client(HTTP_HOST="swingtrade.example.com", raise_request_exception=False)
page = client.get("/no-such-page/", secure=True)
text = page.content.decode()
api = client.get("/api/v1/no-such-endpoint/", secure=True)
# The site's own page (French by default), never the debug page.
print(page.status_code, "Page not found at" in text, "Il n'y a rien à cette adresse" in text)
print(api.status_code, api["Content-Type"])
"""


def test_production_serves_the_sites_own_404_and_the_json_404_never_the_debug_page(tmp_path):
    result = run_python(ERROR_PAGES, env=production_env(SWINGTRADE_VAR_DIR=str(tmp_path)))
    assert result.returncode == 0, result.stderr[-2000:]
    page, api = [line for line in result.stdout.splitlines() if not line.startswith("{")][-2:]
    assert page == "404 False True"
    assert api == "404 application/json"

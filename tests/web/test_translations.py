"""The site speaks French first, English on request, and its compiled catalogue matches its source."""

from __future__ import annotations

import ast
import gettext
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

LOCALE = Path(settings.BASE_DIR) / "locale"


def read_po(path: Path) -> tuple[dict[str, str | tuple[str, ...]], list[str], list[str]]:
    """(translations, untranslated msgids, fuzzy msgids) of a .po file; plural entries map to a tuple."""
    entries: dict[str, str | tuple[str, ...]] = {}
    untranslated, fuzzy = [], []
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        fields: dict[str, str] = {}
        current = None
        for line in block.splitlines():
            if line.startswith("#,") and "fuzzy" in line:
                fuzzy.append(block)
            if line.startswith("#") or not line.strip():
                continue
            if line.startswith('"'):
                fields[current] += ast.literal_eval(line)
                continue
            key, _, value = line.partition(" ")
            current = key
            fields[key] = ast.literal_eval(value)
        if "msgid" not in fields or fields["msgid"] == "":
            continue
        key = fields["msgid"]
        if "msgctxt" in fields:
            key = f"{fields['msgctxt']}\x04{key}"
        if "msgid_plural" in fields:
            value: str | tuple[str, ...] = tuple(
                v for k, v in sorted(fields.items()) if k.startswith("msgstr[")
            )
            missing = not all(value)
        else:
            value = fields["msgstr"]
            missing = not value
        if missing:
            untranslated.append(key)
        entries[key] = value
    return entries, untranslated, fuzzy


def test_every_french_entry_is_translated_and_none_is_fuzzy():
    _, untranslated, fuzzy = read_po(LOCALE / "fr" / "LC_MESSAGES" / "django.po")
    assert untranslated == [] and fuzzy == []


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="gettext is not installed")
def test_every_string_of_the_code_and_templates_has_a_french_entry(tmp_path):
    """makemessages on a copy of the sources: a string added since the .po was last regenerated fails here."""
    source = Path(settings.BASE_DIR)
    skipped = {".git", ".venv", "var", "tests", "docs", "bench", "static", "node_modules"}
    for entry in source.iterdir():
        if entry.name in skipped or entry.is_symlink():
            continue
        if entry.is_dir():
            shutil.copytree(entry, tmp_path / entry.name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(entry, tmp_path / entry.name)
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "fr"],
        cwd=tmp_path,
        check=True,
        capture_output=True,
    )
    _, untranslated, fuzzy = read_po(tmp_path / "locale" / "fr" / "LC_MESSAGES" / "django.po")
    assert untranslated == [] and fuzzy == [], "run makemessages -l fr, translate, compilemessages"


def test_the_committed_mo_file_is_the_compiled_po_file():
    """A fresh clone serves French without compiling: the .mo in git must hold exactly the .po's entries."""
    entries, _, _ = read_po(LOCALE / "fr" / "LC_MESSAGES" / "django.po")
    with (LOCALE / "fr" / "LC_MESSAGES" / "django.mo").open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    catalog = {k: v for k, v in compiled._catalog.items() if k != ""}  # type: ignore[attr-defined]
    singular = {k: v for k, v in entries.items() if isinstance(v, str)}
    plural = {(k, n): form for k, v in entries.items() if isinstance(v, tuple) for n, form in enumerate(v)}
    assert {k: v for k, v in catalog.items() if isinstance(k, str)} == singular
    assert {k: v for k, v in catalog.items() if isinstance(k, tuple)} == plural


@pytest.mark.django_db
def test_a_browser_without_preference_gets_french_and_the_choice_of_english_is_remembered(client):
    page = client.get(reverse("login")).content.decode()
    assert '<html lang="fr">' in page and "Se connecter" in page
    response = client.post(reverse("set_language"), {"language": "en", "next": reverse("login")})
    assert response.status_code == 302 and response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    page = client.get(reverse("login")).content.decode()
    assert '<html lang="en">' in page and "Log in" in page


@pytest.mark.django_db
def test_a_signed_in_choice_is_kept_on_the_account_for_the_e_mails(client):
    from tests.factories import UserFactory

    user = UserFactory()
    client.force_login(user)
    response = client.post(reverse("set_language"), {"language": "en", "next": reverse("dashboard")})
    assert response.status_code == 302 and response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    user.refresh_from_db()
    assert user.language == "en" and user.mail_language == "en"
    # An unknown language changes neither the cookie's choice nor the account.
    client.post(reverse("set_language"), {"language": "xx", "next": reverse("dashboard")})
    user.refresh_from_db()
    assert user.language == "en"
    client.post(reverse("set_language"), {"language": "fr", "next": reverse("dashboard")})
    user.refresh_from_db()
    assert user.mail_language == "fr"


@pytest.mark.django_db
def test_an_anonymous_choice_lives_in_the_cookie_only(client):
    from django.contrib.auth import get_user_model

    from tests.factories import UserFactory

    UserFactory()
    client.post(reverse("set_language"), {"language": "en", "next": reverse("login")})
    assert not get_user_model().objects.exclude(language="").exists()


@pytest.mark.django_db
def test_accept_language_is_honoured(client):
    page = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert '<html lang="en">' in page
    page = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="fr-FR,fr;q=0.9,en;q=0.5").content.decode()
    assert '<html lang="fr">' in page


@pytest.mark.django_db
def test_django_form_errors_are_french_too(client):
    response = client.post(reverse("signup"), {"username": "", "password1": "a", "password2": "b"})
    assert "Ce champ est obligatoire." in response.content.decode()


@pytest.mark.django_db
def test_the_json_api_stays_english_unless_the_client_asks(client):
    assert client.get("/api/v1/rankings/").json()["detail"] == "Authentication credentials were not provided."
    french = client.get("/api/v1/rankings/", HTTP_ACCEPT_LANGUAGE="fr").json()["detail"]
    assert french != "Authentication credentials were not provided."


def test_the_site_has_its_own_error_pages_and_a_favicon(client, settings):
    settings.DEBUG = False
    page = client.get("/no-such-page/")
    assert page.status_code == 404 and "Page introuvable" in page.content.decode()
    assert (Path(settings.BASE_DIR) / "static" / "favicon.svg").exists()
    from django.template.loader import render_to_string

    # Django renders 500.html without a request or context processors: it must stand alone.
    assert "Un problème est survenu de notre côté" in render_to_string("500.html")

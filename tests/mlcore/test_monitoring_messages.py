"""Monitoring's stored English sentences read in French on a page, the record left as stored."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from mlcore.monitoring import messages
from mlcore.monitoring.freshness import Freshness
from mlcore.monitoring.models import Alert, MonitoringReport
from mlcore.monitoring.performance import WindowMetrics
from mlcore.monitoring.rules import Rules, evaluate

RULES = Rules(
    short_window=20, long_window=60, min_dates=10, warn_t=1.0, critical_t=2.0, psi_threshold=0.25,
    drift_share_warn=0.3, stale_warn_sessions=2, stale_critical_sessions=5, coverage_warn=0.9,
    coverage_critical=0.5,
)  # fmt: skip


def _evaluation():
    """Every kind of sentence at once: a collapsed long window, drift, stale data, low coverage."""
    long = WindowMetrics(
        window=60, n_dates=40, start=None, end=None, ic=None, rank_ic=-0.05, rank_ic_se=0.01,
        rank_ic_t=-5.0, rank_ic_t_vs_validation=-6.0, hit_rate=0.4, hit_rate_t=-3.0,
    )  # fmt: skip
    return evaluate(
        short=None, long=long, drift=0.5, coverage_share=0.4, rules=RULES,
        freshness=Freshness("XNYS", "2021-04-14", "2021-04-21", 5),
    )  # fmt: skip


def test_every_stored_sentence_reads_in_french_and_stays_english_as_stored():
    evaluation = _evaluation()
    assert {r.code for r in evaluation.reasons} >= {"rank_ic_below_validation", "stale_data", "low_coverage"}
    summary = evaluation.summary()
    assert summary.startswith("60-day rank IC -0.0500 (SE 0.0100) is significantly below validation")
    with translation.override("fr"):
        french = messages.summary_text(summary)
        sentences = [messages.text(r.message) for r in evaluation.reasons]
    assert french.startswith(
        "L'IC de rang sur 60 jours, -0,0500 (erreur type 0,0100), est significativement inférieur"
    )
    assert "Le dernier cours (14/04/2021) a 5 séance(s) XNYS de retard sur le 21/04/2021." in french
    assert "Les prévisions couvrent 40\u202f% des actions ayant des données (seuil 50\u202f%)." in french
    assert "des variables ont dérivé" in " ".join(sentences)
    hit_rate = "Le taux de réussite sur 60 jours, 40,0\u202f%, est significativement inférieur à 50 %"
    assert hit_rate in " ".join(sentences)
    with translation.override("en"):
        assert messages.summary_text(summary) == summary  # numbers and dates as stored


@pytest.mark.parametrize(
    ("stored", "french"),
    [
        ("[SwingTrade] Model monitoring recovered: CRITICAL → OK",
         "[SwingTrade] Surveillance du modèle rétablie : CRITIQUE → OK"),
        ("[SwingTrade] Retrained model 7 rejected", "[SwingTrade] Modèle réentraîné 7 rejeté"),
        ("[SwingTrade] Prediction gate overridden by ana",
         "[SwingTrade] Verrou des prévisions levé par ana"),
        ("all checks passed", "tous les contrôles sont passés"),
        ("Administrator override: vendor glitch; checked",
         "Dérogation d'un administrateur : vendor glitch; checked"),
        ("a sentence no template wrote", "a sentence no template wrote"),
    ],
)  # fmt: skip
def test_subjects_and_gate_reasons_read_in_french(stored, french):
    with translation.override("fr"):
        assert messages.summary_text(stored) == french


@pytest.mark.django_db
def test_the_french_monitoring_page_shows_french_reasons_and_subjects(analyst):
    analyst_web = Client()
    analyst_web.force_login(analyst)
    evaluation = _evaluation()
    report = MonitoringReport.objects.create(
        as_of=date(2021, 4, 21), data_date=date(2021, 4, 14), role="none", state=evaluation.state,
        summary=evaluation.summary(), reasons=[r.as_dict() for r in evaluation.reasons],
    )  # fmt: skip
    Alert.objects.create(
        kind=Alert.Kind.STATE_CHANGE, report=report, previous_state="OK", state="CRITICAL",
        subject=messages.SUBJECT % {"subject": messages.STATE_CHANGE % {
            "headline": "CRITICAL", "previous": "OK", "state": "CRITICAL"}},
        body="", suppressed_reason=messages.NO_RECIPIENT,
    )  # fmt: skip
    html = analyst_web.get(reverse("mlcore:monitoring"), {"report": report.pk}).content.decode()
    assert "est significativement inférieur à la validation" in html
    assert "séance(s) XNYS de retard" in html and "session(s) behind" not in html
    assert "Surveillance du modèle CRITIQUE : OK → CRITIQUE" in html
    assert "aucun administrateur n&#x27;a d&#x27;adresse e-mail" in html
    report.refresh_from_db()
    assert "is significantly below validation" in report.summary  # the record stays English

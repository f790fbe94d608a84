"""The model registry page: OOS metrics and folds for analysts, promotion and rollback for admins."""

from __future__ import annotations

import pytest
from django.urls import reverse

from mlcore.registry.versions import promote
from tests.mlcore.factories import trained_version


def test_models_page_shows_versions_with_their_oos_metrics_and_folds(champion, analyst_web):
    analyst_web.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"  # an analyst page, read in English here
    response = analyst_web.get(reverse("mlcore:models"))
    assert response.status_code == 200
    html = response.content.decode()
    assert f"#{champion.pk} {champion.algorithm}" in html and "Champion" in html
    assert f"{champion.rank_ic:.4f}" in html
    folds = champion.metrics["folds"]
    assert len(folds) >= 2
    chart = response.context["fold_chart"]
    assert chart["datasets"][0]["data"] == [pytest.approx(f["rank_ic_mean"]) for f in folds]
    assert f"{folds[0]['rank_ic_mean']:.4f}" in html
    # analysts read, admins act
    assert reverse("mlcore:model_rollback") not in html and "/promote/" not in html


def test_admin_promotes_a_candidate_from_the_models_page(champion, admin_web):
    admin_web.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"  # an analyst page, read in English here
    candidate = trained_version(algorithm="ridge", params={"alpha": 100.0})
    page = admin_web.get(reverse("mlcore:models")).content.decode()
    assert reverse("mlcore:model_promote", args=[candidate.pk]) in page
    response = admin_web.post(
        reverse("mlcore:model_promote", args=[candidate.pk]), {"reason": "by hand from the site"}, follow=True
    )
    assert response.status_code == 200
    candidate.refresh_from_db()
    champion.refresh_from_db()
    assert (candidate.status, champion.status) == ("champion", "retired")
    assert f"Model version {candidate.pk} is now the champion" in response.content.decode()


def test_promotion_without_a_reason_changes_nothing(champion, admin_web):
    admin_web.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"  # an analyst page, read in English here
    candidate = trained_version()
    response = admin_web.post(
        reverse("mlcore:model_promote", args=[candidate.pk]), {"reason": ""}, follow=True
    )
    candidate.refresh_from_db()
    assert candidate.status == "candidate"
    assert "Give the reason" in response.content.decode()


def test_admin_rolls_back_to_the_previous_champion(champion, admin_web):
    admin_web.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"  # an analyst page, read in English here
    successor = promote(trained_version(), user=None, reason="newer")
    response = admin_web.post(
        reverse("mlcore:model_rollback"), {"reason": "newer one misbehaves"}, follow=True
    )
    champion.refresh_from_db()
    successor.refresh_from_db()
    assert (champion.status, successor.status) == ("champion", "retired")
    assert f"model version {champion.pk} is the champion again" in response.content.decode()

"""The dashboard: the champion's ranking (or why there is none) and the user's portfolios."""

from __future__ import annotations

from django.urls import reverse

from swingtrade.formatting import format_money, format_number, format_percent
from tests.factories import UserFactory
from tests.web.helpers import in_french, portfolio_of


def test_dashboard_shows_the_champion_and_its_top_buys_and_sells(champion, investor_web):
    response = investor_web.get(reverse("dashboard"))
    assert response.status_code == 200
    ranking = response.context["ranking"]
    assert ranking.model_version == champion and ranking.buys and ranking.sells
    html = response.content.decode()
    assert in_french(format_number, champion.rank_ic, 3) in html
    assert ranking.data_date.isoformat() == "2021-04-21" and "21/04/2021" in html  # the French short date
    best, worst = ranking.buys[0], ranking.sells[0]
    assert reverse("market:ticker", args=[best.ticker]) in html
    assert reverse("market:ticker", args=[worst.ticker]) in html
    _entry, figure = response.context["buys"][0]
    assert in_french(format_percent, figure.model, 2, signed=True) in html  # the model's forecast, 5 days


def test_dashboard_states_the_models_measured_edge_in_plain_words(champion, investor_web):
    html = investor_web.get(reverse("dashboard")).content.decode()
    assert "Quelle confiance accorder à ces prévisions" in html
    assert "rien ici ne prétend battre le marché" in html
    assert 'href="/glossary/#rank-ic"' in html  # the jargon links to its definition


def test_dashboard_labels_the_ranking_with_its_rank_ic_its_t_statistic_and_the_verdict(
    champion, investor_web, settings
):
    t_stat = champion.oos["rank_ic_t"]
    assert 0 < t_stat < settings.MLCORE_PROMOTION_MIN_T == 2.0  # the sample's champion: HAC t ≈ 1.1
    html = investor_web.get(reverse("dashboard")).content.decode()
    verdict = html[html.index('id="edge-verdict"') :]
    verdict = verdict[: verdict.index("</p>")]
    assert in_french(format_number, champion.rank_ic, 3) in verdict
    assert in_french(format_number, t_stat, 2) in verdict and "sous le seuil de 2,0" in verdict
    assert "ce n'est pas un avantage démontré" in verdict.replace("&#x27;", "'")


def test_a_model_above_the_threshold_is_called_a_demonstrated_edge(champion, investor_web, settings):
    settings.MLCORE_PROMOTION_MIN_T = 0.5  # below the champion's t: the same record now clears the bar
    assert champion.oos["rank_ic_t"] > 0.5 and champion.rank_ic > 0
    html = investor_web.get(reverse("dashboard")).content.decode().replace("&#x27;", "'")
    assert "au-dessus du seuil de 0,5" in html and "un avantage démontré, aussi mince soit-il" in html


def test_dashboard_speaks_english_when_the_browser_asks_for_it(champion, investor_web):
    html = investor_web.get(reverse("dashboard"), HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.8").content.decode()
    assert '<html lang="en">' in html and "How much to trust these forecasts" in html
    assert "2021-04-21" in html  # the English short date is ISO


def test_dashboard_without_a_champion_says_so_instead_of_failing(market_sample, investor_web):
    response = investor_web.get(reverse("dashboard"))
    assert response.status_code == 200
    assert "Pas de classement aujourd'hui." in response.content.decode()
    assert "ranking" not in response.context


def test_dashboard_lists_the_users_own_portfolios_only(market_sample, investor, investor_web):
    mine = portfolio_of(investor, name="Mine")
    portfolio_of(UserFactory(), name="Theirs")
    html = investor_web.get(reverse("dashboard")).content.decode()
    assert reverse("portfolio:detail", args=[mine.pk]) in html
    assert in_french(format_money, 100000, mine.base_currency) in html
    assert "Theirs" not in html

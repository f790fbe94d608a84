"""An investor's evening in a real browser: French by default, euros, a phone screen, no accessibility error.

One journey (sign up, log in, dashboard, a ticker's chart, a EUR portfolio, trades, advice, an order
accepted and filled, the optimiser, the track record, English, CSV export, log
out), then the same pages at 390 × 844. Every page is checked by axe-core (0 serious or critical
violation) and photographed under var/e2e-screenshots/ (axe counts in axe-<journey>.json).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.e2e.conftest import AXE, SCREENSHOTS

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

PASSWORD = "Soirée-de-bourse-2021"
PHONE = {"width": 390, "height": 844}


def _rules(violations: list[dict]) -> list[str]:
    return sorted({v["id"] for v in violations})


def _nodes(violations: list[dict]) -> list[object]:
    return [node["target"] for v in violations for node in v["nodes"]][:10]


class Pages:
    """Screenshots and axe counts of every page visited, written to var/e2e-screenshots/axe-<journey>.json."""

    def __init__(self, journey: str) -> None:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        self.report = SCREENSHOTS / f"axe-{journey}.json"
        self.axe: dict[str, dict[str, object]] = {}

    def check(self, page, name: str) -> None:
        page.wait_for_load_state("networkidle")
        page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
        if not page.evaluate("typeof window.axe !== 'undefined'"):
            # Evaluated through the DevTools protocol, not as an inline <script>: the site's
            # Content-Security-Policy (no inline script) stays on and is exercised by the journey.
            page.evaluate(AXE.read_text(encoding="utf-8"))
        result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
        serious = [v for v in result["violations"] if v["impact"] in ("serious", "critical")]
        minor = [v for v in result["violations"] if v["impact"] not in ("serious", "critical")]
        self.axe[name] = {
            "serious_or_critical": len(serious),
            "minor_or_moderate": len(minor),
            "rules": _rules(serious),
            "nodes": _nodes(serious),
            # Named too, so a reader can tell what a minor finding is without re-running the journey.
            "minor_or_moderate_rules": _rules(minor),
            "minor_or_moderate_nodes": _nodes(minor),
        }
        self.report.write_text(json.dumps(self.axe, indent=2))

    def assert_clean(self) -> None:
        # Minor findings too: every page reached 0 of any impact (the last, an empty header cell on the
        # phone dashboard, got a screen-reader label), so a new one is a regression, not background.
        dirty = {
            name: counts
            for name, counts in self.axe.items()
            if counts["serious_or_critical"] or counts["minor_or_moderate"]
        }
        assert dirty == {}


# The x tick labels of a chart as drawn: [left, right] pixel extents, in order (Chart.js's own scale).
X_LABEL_EXTENTS = """(selector) => {
  const chart = Chart.getChart(document.querySelector(selector));
  const scale = chart.scales.x, ctx = chart.ctx;
  ctx.save();
  ctx.font = Chart.helpers.toFont(scale.options.ticks.font).string;
  const extents = scale.ticks.map((tick, i) => {
    const width = ctx.measureText(String(tick.label)).width, x = scale.getPixelForTick(i);
    return [x - width / 2, x + width / 2];
  });
  ctx.restore();
  return extents;
}"""


def _overlapping_labels(extents: list[list[float]]) -> list[int]:
    return [i for i in range(1, len(extents)) if extents[i][0] < extents[i - 1][1]]


def _no_horizontal_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


# The outermost elements sticking out on the right (outside a scrolling table), for the failure message.
WIDE_ELEMENTS = """() => {
  const wide = [...document.body.querySelectorAll('*')]
    .filter(e => e.getBoundingClientRect().right > innerWidth + 1 && !e.closest('.table-scroll'));
  return wide.filter(e => !wide.includes(e.parentElement)).slice(0, 5)
    .map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + (e.className ? '.' + e.className : '')
         + ' ' + Math.round(e.getBoundingClientRect().right) + 'px');
}"""


def test_an_investor_evening_in_french_on_desktop_and_phone(
    site_data, clear_edge_forecasts, live_server, browser
):
    from portfolio.models import Portfolio
    from portfolio.replay.services import replay_params, replay_run_now
    from portfolio.services import portfolio_create
    from tests.factories import UserFactory

    base = live_server.url
    pages = Pages("investor")
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, locale="fr-FR", accept_downloads=True
    )
    page = context.new_page()
    errors: list[str] = []  # script errors, and any asset (script, style, image) the server failed
    page.on(
        "console",
        lambda m: errors.append(m.text) if m.type == "error" and "Failed to load" not in m.text else None,
    )
    page.on(
        "response",
        lambda r: (
            errors.append(f"{r.status} {r.url}")
            if r.status >= 400 and r.request.resource_type != "document"
            else None
        ),
    )

    # Sign up in French, then log out and log in again.
    page.goto(f"{base}/accounts/signup/")
    assert page.get_attribute("html", "lang") == "fr"
    page.fill("#id_username", "camille")
    page.fill("#id_password1", PASSWORD)
    page.fill("#id_password2", PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_url(f"{base}/")
    page.click("text=Se déconnecter")
    page.wait_for_url(re.compile(r".*/accounts/login/.*"))
    pages.check(page, "desktop-login")
    page.fill("#id_username", "camille")
    page.fill("#id_password", PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_url(f"{base}/")

    # The dashboard: the ranking and the model's edge in plain words.
    assert page.locator("h1").inner_text() == "Tableau de bord"
    assert page.locator("text=Quelle confiance accorder à ces prévisions").count() == 1
    pages.check(page, "desktop-dashboard")

    # A ticker's chart: candles drawn from data.
    page.goto(f"{base}/tickers/AAPL/")
    page.wait_for_function("window.Chart && Chart.getChart(document.querySelector('canvas[data-chart]'))")
    points = page.evaluate(
        "Chart.getChart(document.querySelector('canvas[data-chart]')).data.datasets[0].data.length"
    )
    assert points > 100
    first_year = page.evaluate(
        "new Date(Chart.getChart(document.querySelector('canvas[data-chart]')).scales.x.min).getUTCFullYear()"
    )
    assert first_year in (2020, 2021)  # the candles are placed on their own dates
    pages.check(page, "desktop-ticker")

    # A portfolio in euros.
    page.goto(f"{base}/portfolios/")
    page.fill("#id_name", "PEA du soir")
    page.fill("#id_cash", "20000")
    assert page.input_value("#id_base_currency") == "EUR"
    page.click("main form button[type=submit]")
    page.wait_for_url(re.compile(r".*/portfolios/\d+/$"))
    portfolio_url = page.url
    assert "20\u202f000,00\xa0€" in page.inner_text("main")

    # Record a trade by the stock's name.
    page.fill("#id_ticker", "Coca")
    page.select_option("#id_side", "buy")
    page.fill("#id_quantity", "20")
    page.fill("#id_price", "52.10")
    page.fill("#id_traded_on", "2021-04-20")
    page.click("#record-trade button[type=submit]")
    page.wait_for_url(portfolio_url)
    assert "Enregistré : Achat de 20 KO" in page.inner_text(".messages")
    assert "taux BCE" in page.inner_text("main")  # the dollar position valued in euros, rate stated

    # Today's advice from the sample's model: an order, or "nothing to do" with its reason.
    page.click("text=Obtenir le conseil du jour")
    page.wait_for_url(re.compile(r".*#proposals$"))
    tickets = page.locator("a.button", has_text="Préparer l'ordre")
    if tickets.count() == 0:
        assert "Rien à faire aujourd'hui." in page.inner_text(".notice.nothing")
        pages.check(page, "desktop-nothing-to-do")
    # With forecasts that clear their costs: accept an order through its ticket, record its fill.
    clear_edge_forecasts()
    page.click("text=Obtenir le conseil du jour")
    page.wait_for_url(re.compile(r".*#proposals$"))
    pages.check(page, "desktop-proposals")
    assert "Acheter " in page.inner_text("#proposals")  # each order opens with its sentence
    tickets.first.click()
    pages.check(page, "desktop-order-ticket")
    page.click("text=Je passe cet ordre : confirmer")
    page.wait_for_url(re.compile(r".*#proposals$"))
    page.locator("form.fill button[type=submit]").first.click()
    page.wait_for_url(re.compile(r".*#proposals$"))
    assert "Exécuté :" in page.inner_text(".messages")

    # The optimiser.
    page.goto(f"{portfolio_url}optimize/")
    page.click("main form button[type=submit]")
    page.wait_for_url(re.compile(r".*\?run=\d+$"))
    assert page.locator("#run-summary").count() == 1
    pages.check(page, "desktop-optimise")

    # The track record: a short replay of the sample (the shipped site computes its own at bootstrap),
    # reached from the navigation, its two charts drawn from data.
    replay_run_now(
        params=replay_params(
            start="2020-01-02", end="2020-06-30", strategies=["cash", "equal_weight_buy_hold"]
        )
    )
    page.click("nav >> text=Historique des performances")
    page.wait_for_url(f"{base}/track-record/")
    assert page.locator("h1").inner_text() == "Historique des performances"
    assert "Biais du survivant" in page.inner_text("main")
    for chart in ("equity-chart", "drawdown-chart"):
        selector = f"canvas[data-chart='{chart}']"
        page.wait_for_function(f'window.Chart && Chart.getChart(document.querySelector("{selector}"))')
        lengths = page.evaluate(
            f'Chart.getChart(document.querySelector("{selector}")).data.datasets.map(d => d.data.length)'
        )
        assert len(lengths) == 3 and min(lengths) > 100  # cash, 1/N buy & hold, the 1/N benchmark
    pages.check(page, "track-record")

    # The other investor pages: glossary, lists, trade import, and the site's own "not found" page.
    for name, path in [
        ("desktop-glossary", "/glossary/"),
        ("desktop-portfolios", "/portfolios/"),
        ("desktop-tickers", "/tickers/"),
        ("desktop-import", portfolio_url.replace(base, "") + "trades/import/"),
    ]:
        assert page.goto(f"{base}{path}").status == 200
        pages.check(page, name)
    assert page.goto(f"{base}/no-such-page/").status == 404
    assert page.locator("h1").inner_text() == "Page introuvable"
    pages.check(page, "desktop-not-found")

    # English, remembered.
    page.goto(portfolio_url)
    page.select_option("#language-choice", "en")
    page.click(".lang-switch button")
    page.wait_for_load_state()
    assert page.get_attribute("html", "lang") == "en"
    assert "What to do" in page.inner_text("main")
    page.goto(f"{base}/")
    assert page.get_attribute("html", "lang") == "en"

    # CSV export (English: comma-separated).
    page.goto(portfolio_url)
    with page.expect_download() as download:
        page.click("text=trades")
    text = Path(download.value.path()).read_text(encoding="utf-8")
    assert text.splitlines()[0].startswith("date,ticker,side,quantity,price")

    # Someone else's portfolio is not found.
    other = portfolio_create(owner=UserFactory(), name="Secret", cash=1000)
    assert page.goto(f"{base}/portfolios/{other.pk}/").status == 404
    assert Portfolio.objects.filter(owner__username="camille").count() == 1

    # Back to French, on a phone.
    page.select_option("#language-choice", "fr")
    page.click(".lang-switch button")
    page.set_viewport_size(PHONE)
    for name, path in [
        ("phone-dashboard", "/"),
        ("phone-portfolio", portfolio_url.replace(base, "")),
        ("phone-proposals", portfolio_url.replace(base, "") + "#proposals"),
        ("phone-ticker", "/tickers/AAPL/"),
        ("phone-optimise", portfolio_url.replace(base, "") + "optimize/"),
        ("phone-glossary", "/glossary/"),
        ("phone-portfolios", "/portfolios/"),
        ("phone-tickers", "/tickers/"),
        ("phone-track-record", "/track-record/"),
    ]:
        page.goto(f"{base}{path}")
        assert page.get_attribute("html", "lang") == "fr"
        assert _no_horizontal_scroll(page), f"{name} scrolls sideways: {page.evaluate(WIDE_ELEMENTS)}"
        if name == "phone-track-record":  # half a year of dates on 390 px: fewer ticks, none on another
            for chart in ("equity-chart", "drawdown-chart"):
                selector = f"canvas[data-chart='{chart}']"
                page.wait_for_function(
                    f'window.Chart && Chart.getChart(document.querySelector("{selector}"))'
                )
                extents = page.evaluate(X_LABEL_EXTENTS, selector)
                assert len(extents) >= 2 and _overlapping_labels(extents) == [], (chart, extents)
        pages.check(page, name)

    # Log out.
    page.click("text=Se déconnecter")
    page.wait_for_url(re.compile(r".*/accounts/login/.*"))
    context.close()

    pages.assert_clean()
    assert errors == []


def test_the_analyst_pages_pass_axe_on_desktop_and_phone(site_data, live_server, browser):
    from swingtrade.accounts import roles
    from tests.factories import UserFactory

    analyst = UserFactory(role=roles.ANALYST, username="analyste")
    analyst.set_password(PASSWORD)
    analyst.save()
    pages = Pages("analyst")
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="fr-FR")
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "analyste")
    page.fill("#id_password", PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    for width, prefix in ((1280, "desktop"), (390, "phone")):
        page.set_viewport_size({"width": width, "height": 844 if width == 390 else 900})
        for name, path in (("models", "/models/"), ("monitoring", "/monitoring/")):
            assert page.goto(f"{live_server.url}{path}").status == 200
            assert page.get_attribute("html", "lang") == "fr"
            assert _no_horizontal_scroll(page), f"{prefix}-{name} scrolls sideways"
            pages.check(page, f"{prefix}-{name}")
    context.close()
    pages.assert_clean()

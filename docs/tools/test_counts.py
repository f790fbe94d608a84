"""Count the project's tests per area and per file, from ``pytest --collect-only -q``.

``python docs/tools/test_counts.py`` prints the Markdown tables; ``--write`` puts them between the
``<!-- BEGIN test-counts -->`` / ``<!-- END test-counts -->`` markers of docs/cahier-des-charges.md.
Counts are collected test items (a parametrised test counts once per case), nothing is run.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "cahier-des-charges.md"
BEGIN, END = "<!-- BEGIN test-counts -->", "<!-- END test-counts -->"

# What each test folder covers, in the cahier's words.
AREA_TOPICS = {
    "market": "ingestion, validation, sources, calendrier, API marché",
    "mlcore": "features, entraînement, évaluation, registre, prédiction, monitoring, porte",
    "portfolio": "coûts, ordres, propositions, optimiseur, transactions, API portefeuilles",
    "swingtrade": "authentification, rôles, erreurs JSON, santé, journaux, réglages, compose",
    "web": "pages du site",
    "advice": "conseil par défaut à faible risque, coûts et impôts",
    "tax": "règles fiscales françaises datées (PFU, TTF, report des pertes)",
    "replay": "horloge de marché et rejeu pas à pas contre 1/N",
    "perf": "nombre de requêtes SQL par page et par appel",
    "integration": "worker Celery réel et Redis (marqueur integration)",
    "e2e": "parcours dans un vrai navigateur (Playwright), accessibilité",
    "security": "schéma OpenAPI, entrées malformées, verrouillage, audit, secrets, comptes de démo",
    "docs": "documentation fidèle au code (ce document)",
}


# The cahier's four themes, recognised by words in the test file's name (a file may count in two).
THEMES = {
    "entraînement": ("train", "walk_forward", "walkforward", "candidate", "challenger", "short_history"),
    "prédiction": ("predict", "ranking", "scoring", "serving", "gate", "lookahead", "look_ahead"),
    "points d'API": ("api", "auth", "permission", "error_bodies", "pagination"),
    "ingestion": ("ingest", "validation", "source", "csv", "adjustment", "held_out", "bar_foreign_key"),
}


def collected_node_ids() -> list[str]:
    """Node ids of every collected test (``tests/market/test_ingest.py::test_x[case]``)."""
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:warnings"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode not in (0, 5):
        raise RuntimeError(f"pytest --collect-only failed:\n{result.stdout[-2000:]}\n{result.stderr[-2000:]}")
    return [line for line in result.stdout.splitlines() if line.startswith("tests/") and "::" in line]


def counts(node_ids: list[str]) -> tuple[Counter, Counter]:
    per_area: Counter = Counter()
    per_file: Counter = Counter()
    for node in node_ids:
        path = node.split("::", 1)[0]
        parts = path.split("/")
        per_area[parts[1] if len(parts) > 2 else "(racine)"] += 1
        per_file[path] += 1
    return per_area, per_file


def tables(node_ids: list[str]) -> str:
    per_area, per_file = counts(node_ids)
    lines = ["| dossier | tests | ce qui est couvert |", "| --- | ---: | --- |"]
    for area, n in sorted(per_area.items()):
        lines.append(f"| `tests/{area}/` | {n} | {AREA_TOPICS.get(area, '')} |")
    lines.append(f"| **total** | **{sum(per_area.values())}** | |")
    lines += ["", "| thème (mots du nom de fichier) | tests |", "| --- | ---: |"]
    for theme, words in THEMES.items():
        n = sum(c for path, c in per_file.items() if any(w in path.rsplit("/", 1)[-1] for w in words))
        lines.append(f"| {theme} ({', '.join(words)}) | {n} |")
    lines += ["", "| fichier | tests |", "| --- | ---: |"]
    lines += [f"| `{path}` | {n} |" for path, n in sorted(per_file.items())]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="update docs/cahier-des-charges.md")
    args = parser.parse_args(argv)
    text = tables(collected_node_ids())
    if args.write:
        doc = DOC.read_text(encoding="utf-8")
        start, end = doc.index(BEGIN) + len(BEGIN), doc.index(END)
        DOC.write_text(doc[:start] + "\n" + text + "\n" + doc[end:], encoding="utf-8")
        print(f"wrote the test counts into {DOC}")
    else:
        print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())

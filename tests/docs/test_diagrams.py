"""The diagrams in docs/ say what the code and their sources say.

Rendering needs Graphviz's ``dot`` (``apt-get install graphviz``): without it the rendering steps are
skipped, never the comparisons, which read the committed files only.
"""

from __future__ import annotations

import html
import importlib
import itertools
import re
import shutil
from pathlib import Path

import pytest
from django.core.management import call_command

from tests.docs.conftest import DIAGRAMS, DOCS, load_tool

needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz dot not installed")


def svg_titles(path: Path) -> set[str]:
    """Node names and ``a->b`` edges of an SVG rendered by Graphviz (its <title> elements)."""
    titles = re.findall(r"<title>(.*?)</title>", path.read_text(encoding="utf-8"))
    return {html.unescape(t) for t in titles}


def dot_graph(text: str) -> tuple[set[str], set[tuple[str, str]]]:
    """Declared node ids and ``a -> b`` edges of a DOT source (one statement per line, as ours are)."""
    body = re.sub(r"//[^\n]*", "", text)
    edges = set()
    for line in body.splitlines():
        if "style=invis" in line:  # layout-only edges (the legend's order) are not drawn
            continue
        chain = re.match(r"\s*(\w+(?:\s*->\s*\w+)+)\s*(\[|;)", line)
        if chain:
            names = [n.strip() for n in chain.group(1).split("->")]
            edges |= set(itertools.pairwise(names))
    nodes = set(re.findall(r"^\s*(\w+)\s*\[(?:label|shape)", body, flags=re.M)) - {"node", "edge", "graph"}
    return nodes, edges


def mermaid_graph(markdown: str) -> tuple[set[str], set[tuple[str, str]]]:
    """Node ids and edges of the first Mermaid flowchart in ``markdown``."""
    block = markdown.split("```mermaid", 1)[1].split("```", 1)[0]
    nodes = set(re.findall(r"^\s*(\w+)\s*[\[\(\{]", block, flags=re.M)) - {"subgraph", "classDef"}
    edges = set()
    arrow = r"\s*(?:-->|-\.->)(?:\|[^|]*\|)?\s*"
    for line in block.splitlines():
        if re.search(arrow, line):  # a chain: A --> B -->|label| C
            names = [name.strip() for name in re.split(arrow, line.strip())]
            edges |= set(itertools.pairwise(names))
    return nodes, edges


def schema_without_legend() -> tuple[set[str], set[tuple[str, str]]]:
    nodes, edges = dot_graph((DIAGRAMS / "schema.dot").read_text(encoding="utf-8"))
    nodes = {n for n in nodes if not n.startswith("L_")}
    edges = {e for e in edges if not e[0].startswith("L_")}
    return nodes, edges


def test_the_committed_erd_is_what_the_models_give_now(tmp_path, db):
    call_command("erd", output_dir=tmp_path)
    committed = (DIAGRAMS / "erd.dot").read_text(encoding="utf-8")
    assert (tmp_path / "erd.dot").read_text(encoding="utf-8") == committed, "run: python manage.py erd"


def test_the_erd_names_every_model_of_the_project_and_its_foreign_keys():
    erd = load_erd_module()
    text = (DIAGRAMS / "erd.dot").read_text(encoding="utf-8")
    for model in erd.project_models():
        assert f"<B>{model.__name__}</B>" in text
        for name, target, _kind in erd.relations(model):
            assert f'{erd._node_id(model)} -> {erd._node_id(target)} [label="{name}"' in text


def test_the_committed_erd_svg_shows_the_committed_source():
    nodes, edges = dot_graph((DIAGRAMS / "erd.dot").read_text(encoding="utf-8"))
    titles = svg_titles(DIAGRAMS / "erd.svg")
    assert nodes <= titles
    assert {f"{a}->{b}" for a, b in edges} <= titles


@needs_dot
def test_erd_renders_an_svg(tmp_path, db):
    call_command("erd", output_dir=tmp_path)
    assert svg_titles(tmp_path / "erd.svg") == svg_titles(DIAGRAMS / "erd.svg")


def test_erd_check_fails_on_a_stale_file(tmp_path, db):
    from django.core.management.base import CommandError

    (tmp_path / "erd.dot").write_text("digraph erd {}\n", encoding="utf-8")
    with pytest.raises(CommandError, match="out of date"):
        call_command("erd", output_dir=tmp_path, check=True)


def test_the_schema_image_shows_every_node_and_arrow_of_its_source():
    nodes, edges = dot_graph((DIAGRAMS / "schema.dot").read_text(encoding="utf-8"))
    titles = svg_titles(DIAGRAMS / "schema.svg")
    assert nodes <= titles
    assert {f"{a}->{b}" for a, b in edges} <= titles
    assert (DIAGRAMS / "schema.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@needs_dot
def test_the_committed_schema_image_is_what_its_source_renders_to(tmp_path):
    render = load_tool("render_schema")
    written = render.render_schema(tmp_path)
    assert {p.name for p in written} == {"schema.svg", "schema.png"}
    assert svg_titles(tmp_path / "schema.svg") == svg_titles(DIAGRAMS / "schema.svg")


def test_architecture_mermaid_and_the_rendered_schema_say_the_same():
    mermaid_nodes, mermaid_edges = mermaid_graph((DOCS / "architecture.md").read_text(encoding="utf-8"))
    dot_nodes, dot_edges = schema_without_legend()
    assert mermaid_nodes == dot_nodes
    assert mermaid_edges == dot_edges


def test_the_schema_has_a_legend_for_each_colour():
    text = (DIAGRAMS / "schema.dot").read_text(encoding="utf-8")
    legend = set(re.findall(r"L_\w+\s+\[label=\"[^\"]+\", fillcolor=\"(#\w+)\"", text))
    used = set(re.findall(r"fillcolor=\"(#\w+)\"", text))
    assert used == legend


def test_the_cahier_des_charges_shows_both_diagrams():
    text = (DOCS / "cahier-des-charges.md").read_text(encoding="utf-8")
    assert "diagrams/schema.svg" in text
    assert "diagrams/erd.svg" in text


def load_erd_module():
    """The erd command's module, wherever the top layer's commands live."""
    from django.core.management import get_commands

    return importlib.import_module(f"{get_commands()['erd']}.management.commands.erd")

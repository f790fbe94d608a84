"""Render docs/diagrams/schema.dot to schema.svg and schema.png with Graphviz (offline).

Usage: ``python docs/tools/render_schema.py [--output-dir DIR]``. Needs Debian's ``dot``
(``apt-get install graphviz``); exits 2 with a message when it is missing.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from pathlib import Path

DIAGRAMS = Path(__file__).resolve().parents[1] / "diagrams"
SOURCE = DIAGRAMS / "schema.dot"
FORMATS = ("svg", "png")


def render_schema(output_dir: Path) -> list[Path]:
    """Render the schema in every format into ``output_dir``; raise FileNotFoundError without ``dot``."""
    executable = shutil.which("dot")
    if executable is None:
        raise FileNotFoundError("Graphviz `dot` not found: apt-get install graphviz")
    output_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for fmt in FORMATS:
        out = output_dir / f"schema.{fmt}"
        extra = ["-Gdpi=110"] if fmt == "png" else []
        subprocess.run([executable, f"-T{fmt}", *extra, str(SOURCE), "-o", str(out)], check=True)
        written.append(out)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output-dir", type=Path, default=DIAGRAMS)
    args = parser.parse_args(argv)
    try:
        written = render_schema(args.output_dir)
    except FileNotFoundError as exc:
        print(exc, file=sys.stderr)
        return 2
    for path in written:
        print(f"rendered {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

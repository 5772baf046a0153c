#!/usr/bin/env python3
"""Reference: a bare markdown-it-py parse of every note of a vault, in one process.

    python benchmarks/bare_parse.py VAULT

Reads every ``.md`` file outside dot-folders and runs ``MarkdownIt("commonmark").parse`` on
it: the floor a single-process parser cannot go under. Prints the number of notes and tokens.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from markdown_it import MarkdownIt


def notes(root: Path) -> list[Path]:
    found = []
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        found += [Path(folder) / f for f in sorted(files) if f.endswith(".md")]
    return found


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    md = MarkdownIt("commonmark")
    paths = notes(Path(argv[0]))
    tokens = sum(len(md.parse(path.read_text(encoding="utf-8"))) for path in paths)
    print(f"{len(paths)} notes, {tokens} tokens")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

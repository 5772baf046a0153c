#!/usr/bin/env python3
"""Reference: obsidiantools indexes a vault (links, backlinks, front matter, tags, text).

    python benchmarks/obsidiantools_index.py VAULT

``obsidiantools.api.Vault(VAULT).connect().gather()``, as its README shows; needs the
``bench`` extra (``pip install -e '.[bench]'``). Prints the number of notes it indexed.
"""

from __future__ import annotations

import sys
from pathlib import Path

from obsidiantools.api import Vault


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    vault = Vault(Path(argv[0])).connect().gather()
    print(f"{len(vault.md_file_index)} notes")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

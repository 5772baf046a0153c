"""A rendered page's blank lines are tidied the same way as text or bytes."""

from __future__ import annotations

import random
import re

from milepost.render.env import tidy, tidy_bytes


def test_tidy_bytes_is_tidy_of_the_text() -> None:
    rng = random.Random(7)
    for _ in range(2000):
        text = "".join(rng.choice(["\n", "\n\n\n", "a", "é ", "\n\n\n\n\n\n\n"]) for _ in range(30))
        data = text.encode("utf-8")
        expected = re.sub(rb"\n{3,}", b"\n\n", data).strip(b"\n") + b"\n"
        assert tidy_bytes(data) == expected == tidy(text).encode("utf-8")

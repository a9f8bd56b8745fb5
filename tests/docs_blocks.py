"""The command blocks of a documentation page, as the tutorial tests run them."""

from __future__ import annotations

import re

#: printed between blocks so each block's output can be told apart
MARK = "### tutorial block {} ###"


def blocks(text: str) -> list[list]:
    """[(command text, expected output lines or None)] in order: each ```sh block, with
    the lines of the ```text block that follows it."""
    out: list[list] = []
    for kind, body in re.findall(r"```(sh|text)\n(.*?)```", text, re.S):
        if kind == "sh":
            out.append([body, None])
        elif out and out[-1][1] is None:
            out[-1][1] = body.splitlines()
    return out

"""Pareto chart of code usage: bars of episodes per code (labelled with code and term),
line of cumulative share, the 50% and 90% marks dashed and named.

Drawn with matplotlib's Agg backend (no display needed) from a disclosure-protected
result only; suppressed codes are left out and counted in the caption.  Output bytes are
reproducible (no creation date, fixed SVG ids).
"""

from __future__ import annotations

import io

from codelists.frequency.outputs import require_protected
from codelists.frequency.results import HALF_SHARE, PARETO_SHARE, FrequencyResult

LABEL_CHARS = 34


def _label(code: str, term: str) -> str:
    text = f"{code} {term}".strip()
    return text if len(text) <= LABEL_CHARS else text[:LABEL_CHARS - 1] + "\u2026"

FORMATS = ("png", "svg")


def pareto_chart(result: FrequencyResult, *, fmt: str = "png", top: int = 40) -> bytes:
    """The chart as PNG or SVG bytes (at most ``top`` codes, most used first)."""
    require_protected(result)
    if fmt not in FORMATS:
        raise ValueError(f"chart format must be one of {FORMATS}")
    import matplotlib

    matplotlib.use("Agg", force=True)
    from matplotlib.figure import Figure

    rows = [r for r in result.rows if not r.suppressed][:top]
    fig = Figure(figsize=(max(6.0, 0.28 * len(rows) + 2), 6.0), dpi=100)
    ax = fig.add_subplot()
    labels = [_label(r.code, r.term) for r in rows]
    colours = ["#2b6cb0" if r.uncertainty in (0, None) else
               "#dd6b20" if r.uncertainty == 1 else "#c53030" for r in rows]
    ax.bar(range(len(rows)), [r.episodes for r in rows], color=colours)
    ax.set_xticks(range(len(rows)), labels, rotation=90, fontsize=7)
    ax.set_ylabel("episodes")
    line = ax.twinx()
    line.plot(range(len(rows)), [100 * (r.cumulative_share or 0) for r in rows],
              color="black", marker=".", linewidth=1)
    for share in (HALF_SHARE, PARETO_SHARE):
        line.axhline(100 * share, color="grey", linestyle="--", linewidth=0.8)
        line.text(len(rows) - 0.5, 100 * share + 1, f"{share:.0%} of episodes", fontsize=7,
                  color="#555", ha="right")
    line.set_ylim(0, 105)
    line.set_ylabel("cumulative % of episodes")
    hidden = sum(1 for r in result.rows if r.suppressed)
    title = f"{result.codelist or 'codelist'}: code usage"
    ax.set_title(title, fontsize=10)
    caption = ("bars: blue uncertainty 0 (or untagged), orange 1, red 2"
               + (f"; {hidden} suppressed code(s) not shown" if hidden else "")
               + (f"; {len(result.rows) - len(rows)} more codes not shown"
                  if len(result.rows) > len(rows) + hidden else ""))
    fig.text(0.01, 0.01, caption, fontsize=7)
    fig.tight_layout(rect=(0, 0.04, 1, 1))
    buf = io.BytesIO()
    if fmt == "svg":
        import matplotlib as mpl

        with mpl.rc_context({"svg.hashsalt": "codelists", "svg.fonttype": "none"}):
            fig.savefig(buf, format="svg", metadata={"Date": None})
    else:
        fig.savefig(buf, format="png", metadata={"Software": None})
    return buf.getvalue()

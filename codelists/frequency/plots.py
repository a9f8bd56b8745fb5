"""Pareto chart of code usage: bars of episodes per code, line of cumulative share.

Drawn with matplotlib's Agg backend (no display needed) from a disclosure-protected
result only; suppressed codes are left out and counted in the caption.  Output bytes are
reproducible (no creation date, fixed SVG ids).
"""

from __future__ import annotations

import io

from codelists.frequency.outputs import require_protected
from codelists.frequency.results import PARETO_SHARE, FrequencyResult

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
    fig = Figure(figsize=(max(6.0, 0.28 * len(rows) + 2), 4.5), dpi=100)
    ax = fig.add_subplot()
    labels = [r.code for r in rows]
    colours = ["#2b6cb0" if r.uncertainty in (0, None) else
               "#dd6b20" if r.uncertainty == 1 else "#c53030" for r in rows]
    ax.bar(range(len(rows)), [r.episodes for r in rows], color=colours)
    ax.set_xticks(range(len(rows)), labels, rotation=90, fontsize=7)
    ax.set_ylabel("episodes")
    line = ax.twinx()
    line.plot(range(len(rows)), [100 * (r.cumulative_share or 0) for r in rows],
              color="black", marker=".", linewidth=1)
    line.axhline(100 * PARETO_SHARE, color="grey", linestyle="--", linewidth=0.8)
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

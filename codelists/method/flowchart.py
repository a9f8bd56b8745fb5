"""The flow diagram of a codelist's development (candidates -> screening -> review -> included).

:func:`flow` counts every stage from the file; :func:`layout` places boxes and arrows in
pixel coordinates; :func:`svg` writes that layout as SVG text directly and :func:`png`
draws the same layout with matplotlib (Agg backend, no display needed).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from codelists.method import block, screening
from codelists.method.delphi import final_ratings
from codelists.method.replay import previous_codes
from codelists.method.suggest.model import suggested_codes

LINE_HEIGHT = 18
PAD = 10
MAIN_X, MAIN_W = 30, 330
SIDE_X, SIDE_W = 420, 330
WIDTH = SIDE_X + SIDE_W + 30


def flow(codelist) -> dict[str, Any]:
    """Counts at every stage, from the body lines and the method block."""
    candidates = previous_codes(codelist)
    ratings = final_ratings(block.rounds(codelist))
    active = {ln.code: ln for ln in codelist.code_lines("active")}
    delphi_out = [ln.code for ln in codelist.code_lines("excluded")
                  if ln.tags.get("reason") == screening.DELPHI_REASON]
    included = [c for c in ratings if c in active]
    complete = [c for c in included if len(set(ratings[c].values())) == 1]
    levels: dict[str, int] = {}
    for code in included:
        level = active[code].tags.get("uncertainty")
        if level is not None:
            levels[level] = levels.get(level, 0) + 1
    reviewers = {name for r in ratings.values() for name in r}
    table = screening.reason_table(codelist)
    return {
        "candidates": len(candidates) if candidates else (block.last_run(codelist) or {}).get(
            "candidates", 0),
        "suggested": len(suggested_codes(codelist)),
        "screened_out": sum(row["count"] for row in table),
        "screening_reasons": table,
        "reviewed": len(ratings),
        "reviewers": len(reviewers),
        "rounds": len(block.rounds(codelist)),
        "excluded_by_review": len(delphi_out),
        "included": len(included),
        "included_complete": len(complete),
        "included_partial": len(included) - len(complete),
        "uncertainty": dict(sorted(levels.items())),
        "pending": len(codelist.pending_codes()),
        "active": len(active),
    }


@dataclass(frozen=True)
class Box:
    x: int
    y: int
    w: int
    lines: tuple[str, ...]
    bold_first: bool = True

    @property
    def h(self) -> int:
        return PAD * 2 + LINE_HEIGHT * len(self.lines)


def _reason_lines(counts: dict[str, Any]) -> list[str]:
    lines = []
    for row in counts["screening_reasons"]:
        label = row["detail"] or screening.REASONS.get(row["reason"], row["reason"])
        lines.append(f"{label}: {row['count']}")
    return lines


def layout(counts: dict[str, Any]) -> tuple[list[Box], list[tuple[int, int, int, int]], int]:
    """Boxes, arrows (x1, y1, x2, y2) and the total height."""
    boxes: list[Box] = []
    arrows = []
    y = 20
    if counts.get("suggested"):
        first = Box(MAIN_X, y, MAIN_W, ("Candidate codes",
                                        f"from the search: n = {counts['candidates']}",
                                        f"from suggestions: n = {counts['suggested']}"))
    else:
        first = Box(MAIN_X, y, MAIN_W, ("Candidate codes from the search",
                                        f"n = {counts['candidates']}"))
    side = Box(SIDE_X, y + first.h + 20, SIDE_W,
               (f"Excluded at screening: n = {counts['screened_out']}",
                *_reason_lines(counts)))
    if counts["pending"]:
        side = Box(side.x, side.y, side.w, (*side.lines, f"Not yet reviewed: {counts['pending']}"))
    boxes += [first, side]
    y2 = side.y + side.h + 20
    reviewers = counts["reviewers"]
    second = Box(MAIN_X, y2, MAIN_W, (f"Reviewed by {reviewers} independent reviewer"
                                      f"{'s' if reviewers != 1 else ''}",
                                      f"n = {counts['reviewed']} ({counts['rounds']} round"
                                      f"{'s' if counts['rounds'] != 1 else ''})"))
    mid = first.y + first.h
    arrows += [(MAIN_X + MAIN_W // 2, mid, MAIN_X + MAIN_W // 2, y2),
               (MAIN_X + MAIN_W // 2, side.y + side.h // 2, SIDE_X, side.y + side.h // 2)]
    drop = Box(SIDE_X, y2 + second.h + 20, SIDE_W,
               ("Excluded by Delphi consensus", f"n = {counts['excluded_by_review']}"))
    y3 = drop.y + drop.h + 20
    third = Box(MAIN_X, y3, MAIN_W, ("Included in the codelist", f"n = {counts['included']}"))
    arrows += [(MAIN_X + MAIN_W // 2, y2 + second.h, MAIN_X + MAIN_W // 2, y3),
               (MAIN_X + MAIN_W // 2, drop.y + drop.h // 2, SIDE_X, drop.y + drop.h // 2)]
    boxes += [second, drop, third]
    y4 = y3 + third.h + 30
    levels = "; ".join(f"{k}: {v}" for k, v in counts["uncertainty"].items() if k != "0")
    left = Box(MAIN_X, y4, MAIN_W, ("Complete agreement", f"n = {counts['included_complete']}",
                                    "(uncertainty 0)"))
    right = Box(SIDE_X, y4, SIDE_W, ("Partial agreement", f"n = {counts['included_partial']}",
                                     f"(uncertainty {levels})" if levels else ""))
    arrows += [(MAIN_X + MAIN_W // 2, y3 + third.h, MAIN_X + MAIN_W // 2, y4),
               (MAIN_X + MAIN_W // 2, y3 + third.h + 15, SIDE_X + SIDE_W // 2, y4)]
    boxes += [left, right]
    return boxes, arrows, y4 + max(left.h, right.h) + 20


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def svg(counts: dict[str, Any]) -> str:
    boxes, arrows, height = layout(counts)
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" '
           f'viewBox="0 0 {WIDTH} {height}" font-family="Helvetica,Arial,sans-serif" '
           f'font-size="13">',
           "<title>Codelist development flow diagram</title>",
           '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" '
           'markerHeight="7" orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" '
           'fill="#333"/></marker></defs>',
           f'<rect width="{WIDTH}" height="{height}" fill="#fff"/>']
    for x1, y1, x2, y2 in arrows:
        if x1 != x2 and y1 != y2:  # an elbow: down then across then down
            out.append(f'<polyline points="{x1},{y1} {x2},{y1} {x2},{y2}" fill="none" '
                       f'stroke="#333" marker-end="url(#arrow)"/>')
        else:
            out.append(f'<line x1="{x1}" y1="{y1}" x2="{x2}" y2="{y2}" stroke="#333" '
                       f'marker-end="url(#arrow)"/>')
    for box in boxes:
        out.append(f'<rect x="{box.x}" y="{box.y}" width="{box.w}" height="{box.h}" rx="4" '
                   f'fill="#f4f7fb" stroke="#34495e"/>')
        for i, line in enumerate(box.lines):
            weight = ' font-weight="bold"' if i == 0 and box.bold_first else ""
            ty = box.y + PAD + LINE_HEIGHT * i + 13
            out.append(f'<text x="{box.x + box.w / 2}" y="{ty}" text-anchor="middle"{weight}>'
                       f"{_esc(line)}</text>")
    out.append("</svg>")
    return "\n".join(out) + "\n"


def png(counts: dict[str, Any], *, dpi: int = 150) -> bytes:
    """The same layout drawn with matplotlib's Agg backend, as PNG bytes."""
    import io

    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

    boxes, arrows, height = layout(counts)
    figure = Figure(figsize=(WIDTH / 100, height / 100), dpi=dpi)
    FigureCanvasAgg(figure)
    axes = figure.add_axes((0, 0, 1, 1))
    axes.set_xlim(0, WIDTH)
    axes.set_ylim(height, 0)
    axes.axis("off")
    for x1, y1, x2, y2 in arrows:
        if x1 != x2 and y1 != y2:
            axes.plot([x1, x2], [y1, y1], color="#333", linewidth=1)
            x1, y1 = x2, y1
        axes.add_patch(FancyArrowPatch((x1, y1), (x2, y2), arrowstyle="-|>",
                                       mutation_scale=12, color="#333", linewidth=1))
    for box in boxes:
        axes.add_patch(FancyBboxPatch((box.x, box.y), box.w, box.h,
                                      boxstyle="round,pad=0,rounding_size=4",
                                      facecolor="#f4f7fb", edgecolor="#34495e"))
        for i, line in enumerate(box.lines):
            axes.text(box.x + box.w / 2, box.y + PAD + LINE_HEIGHT * i + 9, line,
                      ha="center", va="center", fontsize=9,
                      fontweight="bold" if i == 0 and box.bold_first else "normal")
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=dpi, facecolor="white")
    return buffer.getvalue()

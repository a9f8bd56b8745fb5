"""A Pareto chart of code usage as a small standalone SVG (no plotting library): bars
for each code's episodes, most used first, labelled with code and term, and the cumulative
share as a line, with the 50% and 90% marks dashed and named.  Drawn from the
``top_codes`` a frequency check records in the method block (shares of the list's total
episodes when it is recorded), so a report (and the web page) can show it without the
patient data."""

from __future__ import annotations

import html
from collections.abc import Sequence

WIDTH, HEIGHT, LEFT, BOTTOM, TOP = 720, 420, 110, 175, 28
LABEL_CHARS = 34
MARKS = (0.5, 0.9)


def rows_of(top_codes: Sequence[dict], total: int | None = None,
            ) -> list[tuple[str, int, float]]:
    """(code, episodes, cumulative share) of the recorded top codes, most used first;
    shares of ``total`` episodes (all the list's codes) when given, else of these codes."""
    rows = sorted(((str(r.get("code", "")), int(r.get("episodes") or 0)) for r in top_codes),
                  key=lambda r: -r[1])
    total = total or sum(e for _, e in rows) or 1
    out, running = [], 0
    for code, episodes in rows:
        running += episodes
        out.append((code, episodes, running / total))
    return out


def _label(code: str, term: str) -> str:
    text = f"{code} {term}".strip()
    return text if len(text) <= LABEL_CHARS else text[:LABEL_CHARS - 1] + "\u2026"


def svg(top_codes: Sequence[dict], *, title: str = "Code usage (Pareto chart)",
        terms: dict[str, str] | None = None, total: int | None = None) -> str:
    terms = terms or {}
    rows = rows_of(top_codes, total)[:40]
    plot_w, plot_h = WIDTH - LEFT - 50, HEIGHT - BOTTOM - TOP
    peak = max((e for _, e, _ in rows), default=1) or 1
    step = plot_w / max(len(rows), 1)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
             f'width="{WIDTH}" height="{HEIGHT}" font-family="sans-serif" font-size="11">',
             f"<title>{html.escape(title)}</title>",
             f'<text x="{LEFT}" y="16" font-size="13">{html.escape(title)}</text>',
             f'<line x1="{LEFT}" y1="{TOP + plot_h}" x2="{LEFT + plot_w}" '
             f'y2="{TOP + plot_h}" stroke="#333"/>',
             f'<text x="12" y="{TOP + plot_h / 2}" transform="rotate(-90 12 {TOP + plot_h / 2})"'
             ' text-anchor="middle">episodes</text>',
             f'<text x="{WIDTH - 8}" y="{TOP + plot_h / 2}" text-anchor="middle" transform='
             f'"rotate(90 {WIDTH - 8} {TOP + plot_h / 2})">cumulative % of episodes</text>']
    for share in MARKS:
        mark = TOP + plot_h * (1 - share)
        parts.append(f'<line x1="{LEFT}" y1="{mark:.1f}" x2="{LEFT + plot_w}" y2="{mark:.1f}" '
                     'stroke="#777" stroke-dasharray="4 3"/>'
                     f'<text x="{LEFT + plot_w - 4}" y="{mark - 4:.1f}" text-anchor="end" '
                     f'fill="#555">{share:.0%} of episodes</text>')
    points = []
    for i, (code, episodes, share) in enumerate(rows):
        h = plot_h * episodes / peak
        x = LEFT + i * step
        term = terms.get(code, "")
        parts.append(f'<rect x="{x + step * 0.15:.1f}" y="{TOP + plot_h - h:.1f}" '
                     f'width="{step * 0.7:.1f}" height="{h:.1f}" fill="#2b6cb0">'
                     f"<title>{html.escape(code)}: {episodes} episodes"
                     f"{' (' + html.escape(term) + ')' if term else ''}</title></rect>")
        cx = x + step / 2
        parts.append(f'<text x="{cx + 3:.1f}" y="{TOP + plot_h + 8}" text-anchor="end" '
                     f'font-size="10" transform="rotate(-60 {cx + 3:.1f} {TOP + plot_h + 8})">'
                     f"{html.escape(_label(code, term))}</text>")
        points.append(f"{cx:.1f},{TOP + plot_h * (1 - share):.1f}")
    if points:
        parts.append(f'<polyline points="{" ".join(points)}" fill="none" stroke="#111" '
                     'stroke-width="1.5"/>')
    parts.append(f'<text x="{LEFT - 6}" y="{TOP + 4}" text-anchor="end">{peak}</text>'
                 f'<text x="{LEFT - 6}" y="{TOP + plot_h}" text-anchor="end">0</text></svg>')
    return "".join(parts)

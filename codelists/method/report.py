"""The methods report: everything a reader needs to judge and reuse a codelist.

:func:`document` builds the report once as a list of blocks (headings, paragraphs,
tables, code, images); :func:`markdown` and :func:`html` render those blocks, so the two
formats always say the same thing.  :func:`write_report` writes ``report.md``,
``report.html`` (standalone: styles, flow diagram and badge inline), ``flow.svg``,
``flow.png`` and ``badge.svg`` into a folder, each file atomically.
"""

from __future__ import annotations

import html as _html
from pathlib import Path
from typing import Any

from codelists.method import block, flowchart, screening, syntax
from codelists.method.agreement import agreement
from codelists.method.badge import CRITERIA, assess
from codelists.method.delphi import final_ratings

Block = tuple  # ("h", level, text) | ("p", text) | ("list", [text]) | ("table", head, rows)
#               | ("code", language, text) | ("image", file name, svg text, alt)


def document(codelist, *, version: str = "") -> list[Block]:
    counts = flowchart.flow(codelist)
    badge = assess(codelist)
    blocks: list[Block] = [("h", 1, f"Methods report: {codelist.title}")]
    blocks.append(("p", f"Codelist `{codelist.id}`, version {codelist.meta.get('version', '')}"
                        f", terminology {codelist.meta.get('terminology', '')}, status "
                        f"{codelist.meta.get('status', '')}. Developed following Watson et al., "
                        "BMJ Open 2017;7:e019637."))
    blocks.append(("image", "badge.svg", badge.svg(), f"quality badge {badge.score}/7"))
    blocks.append(("table", ["Recommended step", "Done"],
                   [[CRITERIA[k], "yes" if v else "no"] for k, v in badge.checks.items()]))
    blocks += _definition(codelist)
    blocks += _search(codelist, version)
    blocks += _screening(codelist, counts)
    blocks += _review(codelist, counts)
    blocks.append(("h", 2, "Flow diagram"))
    blocks.append(("image", "flow.svg", flowchart.svg(counts), "flow diagram"))
    blocks.append(("table", ["Stage", "Codes"], [
        ["Candidates from the search", counts["candidates"]],
        *([["Candidates from suggestions (codelist suggest)", counts["suggested"]]]
          if counts.get("suggested") else []),
        ["Excluded at screening", counts["screened_out"]],
        ["Reviewed", counts["reviewed"]],
        ["Excluded by Delphi consensus", counts["excluded_by_review"]],
        ["Included", counts["included"]],
        ["Included with complete agreement", counts["included_complete"]],
        ["Included with partial agreement", counts["included_partial"]],
        ["Still pending", counts["pending"]]]))
    blocks += _frequency(codelist)
    blocks += _final_list(codelist)
    return blocks


def _definition(codelist) -> list[Block]:
    definition = block.definition(codelist)
    out: list[Block] = [("h", 2, "1. Definition of the clinical feature")]
    if definition is None:
        return [*out, ("p", "No a priori definition is recorded.")]
    out.append(("p", f"**{definition.feature}**. {definition.description}".strip()))
    out.append(("p", f"The codelist is {definition.driven}-driven."))
    if definition.inclusion:
        out += [("p", "Included:"), ("list", list(definition.inclusion))]
    if definition.exclusion:
        out += [("p", "Excluded:"), ("list", list(definition.exclusion))]
    out.append(("h", 3, "Sources"))
    out.append(("list", [" ".join(x for x in (f"**{s.name}**", s.citation, s.url, s.notes) if x)
                         for s in definition.sources] or ["none recorded"]))
    return out


def _search(codelist, version: str) -> list[Block]:
    out: list[Block] = [("h", 2, "2. Search strategy")]
    data = (codelist.method or {}).get("search")
    if not data or not data.get("rules"):
        return [*out, ("p", "No search strategy is recorded.")]
    strategy = block.strategy(codelist)
    if strategy.systems:
        out.append(("p", "Coding systems searched: " + ", ".join(strategy.systems) + "."))
    rows = []
    for rule in strategy.rules:
        terms = " AND ".join(f"{t.text} ({t.mode}{', case-sensitive' if t.case_sensitive else ''})"
                             for t in rule.all_of)
        if rule.none_of:
            terms += " NOT " + " NOT ".join(t.text for t in rule.none_of)
        rows.append([rule.id, terms])
    out.append(("table", ["Rule", "Terms (match mode)"], rows))
    last = block.last_run(codelist) or {}
    excluded = last.get("excluded_by_terms") or {}
    if strategy.exclusions:
        out.append(("table", ["Exclusion", "Text (mode, scope)", "Descriptions removed",
                              "Codes removed"],
                    [[x.id, f"{x.term.text} ({x.term.mode}, {x.scope})",
                      (excluded.get(x.id) or {}).get("descriptions", ""),
                      (excluded.get(x.id) or {}).get("codes", "")]
                     for x in strategy.exclusions]))
    if last:
        release = last.get("release") or {}
        where = " ".join(str(release.get(k, "")) for k in ("terminology", "edition",
                                                             "release_date")).strip()
        out.append(("p", f"Last run {last.get('date', '')}"
                         f"{' on ' + where if where else ''}: "
                         f"{last.get('descriptions_scanned', '?')} descriptions searched, "
                         f"{last.get('candidates', '?')} candidate codes."))
        by_rule = last.get("by_rule") or {}
        out.append(("table", ["Rule", "Candidate codes"],
                    [[k, v] for k, v in by_rule.items()]))
    out.append(("h", 3, "Exact syntax (Stata)"))
    out.append(("code", "stata", syntax.stata(strategy, title=codelist.title, version=version)))
    out.append(("h", 3, "Exact syntax (R)"))
    out.append(("code", "r", syntax.r_code(strategy, title=codelist.title, version=version)))
    return out


def _screening(codelist, counts) -> list[Block]:
    out: list[Block] = [("h", 2, "3. Screening")]
    rows = [[r["reason"], r["detail"], r["count"]] for r in counts["screening_reasons"]]
    out.append(("p", f"{counts['screened_out']} of {counts['candidates']} candidate codes "
                     "were excluded as clearly inappropriate."))
    if rows:
        out.append(("table", ["Reason", "Detail", "Codes"], rows))
    excluded = [[ln.code, ln.term, ln.tags.get("reason", ""), ln.comment or ""]
                for ln in codelist.code_lines("excluded")]
    if excluded:
        out.append(("h", 3, "Excluded codes"))
        out.append(("table", ["Code", "Term", "Reason", "Detail"], excluded))
    return out


def _review(codelist, counts) -> list[Block]:
    out: list[Block] = [("h", 2, "4. Delphi review")]
    rounds = block.rounds(codelist)
    if not rounds:
        return [*out, ("p", "No review is recorded.")]
    rule = block.rule(codelist)
    out.append(("p", f"{counts['reviewers']} reviewers rated {counts['reviewed']} codes "
                     f"independently in {len(rounds)} round(s) (1 include, 2 unsure, "
                     f"3 exclude). Consensus rule `{rule.name}`: {rule.description}"))
    stats = agreement(rounds[0].by_code())
    final = agreement(final_ratings(rounds))
    rows = [["Codes rated by every reviewer (round 1)", stats["codes"]],
            ["Complete agreement", stats["complete_agreement"]],
            ["Partial agreement", stats["partial_agreement"]],
            ["Percent complete agreement", _num(stats["percent_agreement"], "%")],
            ["Cohen's kappa (2 reviewers)", _num(stats["cohen_kappa"])],
            ["Fleiss' kappa", _num(stats["fleiss_kappa"])],
            ["Interpretation (Landis & Koch)", stats["interpretation"]]]
    if len(rounds) > 1:
        rows.append(["Percent complete agreement after the last round",
                     _num(final["percent_agreement"], "%")])
    out.append(("table", ["Agreement", "Value"], rows))
    levels = counts["uncertainty"]
    out.append(("table", ["Uncertainty", "Included codes"],
                [[k, v] for k, v in levels.items()] or [["-", 0]]))
    return out


def _num(value, suffix: str = "") -> str:
    if value is None:
        return "n/a"
    return f"{value:.1f}{suffix}" if suffix else f"{value:.3f}"


def _frequency(codelist) -> list[Block]:
    data = block.frequency(codelist)
    if not data:
        return [("h", 2, "5. Frequency check"), ("p", "No frequency check is recorded.")]
    out: list[Block] = [("h", 2, "5. Frequency check")]
    if isinstance(data, dict):
        rows = [[k, v] for k, v in data.items() if not isinstance(v, dict | list)]
        if rows:
            out.append(("table", ["Item", "Value"], rows))
        if data.get("outcomes"):
            from codelists.frequency.outputs import entry_table

            out.append(("p", "Sensitivity analysis: the outcome with every code, with only the "
                             "codes of uncertainty 0, and of uncertainty 1 or less."))
            out.append(("table", *entry_table(data)))
        top = data.get("top_codes")
        if top:
            from codelists.method import pareto

            terms = codelist.terms()
            out.append(("p", "The codes most used, most first (Pareto chart: bars are "
                             "episodes, the line the cumulative share; dashed, 80%)."))
            out.append(("image", "pareto.svg", pareto.svg(top), "Pareto chart of code usage"))
            out.append(("table", ["Code", "Term", "Episodes", "Patients", "Cumulative %"],
                        [[code, terms.get(code, ""), episodes,
                          next((r.get("patients", "") for r in top
                                if str(r.get("code")) == code), ""), f"{100 * share:.1f}"]
                         for code, episodes, share in pareto.rows_of(top)]))
        never = data.get("codes_never_used")
        if never:
            out.append(("p", f"Codes never used ({len(never)}): {', '.join(map(str, never))}."))
        if not rows and not data.get("outcomes"):
            out.append(("p", "A frequency check is recorded in the file."))
    return out


def _final_list(codelist) -> list[Block]:
    rows = [[ln.code, ln.term, ln.tags.get("uncertainty", "")]
            for ln in codelist.code_lines("active")]
    return [("h", 2, "6. The codelist"), ("table", ["Code", "Term", "Uncertainty"], rows)]


# --- rendering ----------------------------------------------------------------------


def _cell(value: Any) -> str:
    return str(value).replace("|", "\\|").replace("\n", " ")


def markdown(blocks: list[Block]) -> str:
    out: list[str] = []
    for item in blocks:
        kind = item[0]
        if kind == "h":
            out.append("#" * item[1] + " " + item[2])
        elif kind == "p":
            out.append(item[1])
        elif kind == "list":
            out.append("\n".join(f"- {x}" for x in item[1]))
        elif kind == "table":
            head, rows = item[1], item[2]
            lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
            lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]
            out.append("\n".join(lines))
        elif kind == "code":
            out.append(f"```{item[1]}\n{item[2].rstrip()}\n```")
        elif kind == "image":
            out.append(f"![{item[3]}]({item[1]})")
    return "\n\n".join(out) + "\n"


STYLE = """body{font-family:Helvetica,Arial,sans-serif;max-width:60rem;margin:2rem auto;
padding:0 1rem;color:#222;line-height:1.45}table{border-collapse:collapse;margin:1rem 0}
td,th{border:1px solid #ccc;padding:.25rem .6rem;text-align:left;vertical-align:top}
th{background:#eef2f7}pre{background:#f6f8fa;padding:.8rem;overflow-x:auto}
figure{margin:1rem 0}"""


def _inline(text: str) -> str:
    """Escape, then render **bold** and `code` spans."""
    import re

    escaped = _html.escape(text)
    escaped = re.sub(r"\*\*(.+?)\*\*", r"<strong>\1</strong>", escaped)
    return re.sub(r"`(.+?)`", r"<code>\1</code>", escaped)


def html(blocks: list[Block], title: str = "Methods report") -> str:
    out = ["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
           f"<title>{_html.escape(title)}</title><style>{STYLE}</style></head><body>",
           html_fragment(blocks), "</body></html>"]
    return "\n".join(out) + "\n"


def html_fragment(blocks: list[Block], *, shift: int = 0) -> str:
    """The blocks as HTML elements (escaped; images are the library's own SVG), headings
    moved ``shift`` levels down, for embedding in a page."""
    out: list[str] = []
    for item in blocks:
        kind = item[0]
        if kind == "h":
            level = min(6, item[1] + shift)
            out.append(f"<h{level}>{_html.escape(item[2])}</h{level}>")
        elif kind == "p":
            out.append(f"<p>{_inline(item[1])}</p>")
        elif kind == "list":
            out.append("<ul>" + "".join(f"<li>{_inline(x)}</li>" for x in item[1]) + "</ul>")
        elif kind == "table":
            head = "".join(f'<th scope="col">{_html.escape(str(h))}</th>' for h in item[1])
            rows = "".join("<tr>" + "".join(f"<td>{_html.escape(str(c))}</td>" for c in row)
                           + "</tr>" for row in item[2])
            out.append(f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>")
        elif kind == "code":
            out.append(f'<pre><code class="language-{item[1]}">{_html.escape(item[2])}'
                       "</code></pre>")
        elif kind == "image":
            out.append(f'<figure role="img" aria-label="{_html.escape(item[3])}">{item[2]}'
                       "</figure>")
    return "\n".join(out)


def write_report(codelist, folder: str | Path, *, version: str = "") -> dict[str, Path]:
    from codelists.codelist.fileformat import write_atomic

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    blocks = document(codelist, version=version)
    counts = flowchart.flow(codelist)
    files = {
        "markdown": write_atomic(folder / "report.md", markdown(blocks)),
        "html": write_atomic(folder / "report.html",
                             html(blocks, f"Methods report: {codelist.title}")),
        "flow_svg": write_atomic(folder / "flow.svg", flowchart.svg(counts)),
        "flow_png": write_atomic(folder / "flow.png", flowchart.png(counts)),
        "badge_svg": write_atomic(folder / "badge.svg", assess(codelist).svg()),
    }
    return files


def summary(codelist) -> dict[str, Any]:
    """The report's numbers as data (for --json and tests)."""
    return {"flow": flowchart.flow(codelist), "badge": assess(codelist).as_dict(),
            "screening": screening.counts_by_reason(codelist)}

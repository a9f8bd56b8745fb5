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
    raw = stats["raw_agreement"]
    rows = [["Codes rated by every reviewer (round 1)", stats["codes"]],
            ["Complete agreement", stats["complete_agreement"]],
            ["Partial agreement", stats["partial_agreement"]],
            ["Percent complete agreement", _num(stats["percent_agreement"], "%")],
            ["Raw agreement (pairs of ratings)", _num(None if raw is None else 100 * raw, "%")],
            ["PABAK (prevalence- and bias-adjusted kappa)", _num(stats["pabak"])],
            ["Cohen's kappa (2 reviewers)", _num(stats["cohen_kappa"])],
            ["Fleiss' kappa", _num(stats["fleiss_kappa"])],
            ["Interpretation of kappa (Landis & Koch)", stats["interpretation"]]]
    if len(rounds) > 1:
        rows.append(["Percent complete agreement after the last round",
                     _num(final["percent_agreement"], "%")])
    out.append(("table", ["Agreement", "Value"], rows))
    out.append(("p", stats["advice"]))
    levels = counts["uncertainty"]
    out.append(("table", ["Uncertainty", "Included codes"],
                [[k, v] for k, v in sorted(levels.items())] or [["-", 0]]))
    out += _ratings_per_code(codelist, rounds)
    return out


def _ratings_per_code(codelist, rounds) -> list[Block]:
    """Every reviewed code with its term, each round's ratings, and the decision."""
    reviewers = list(dict.fromkeys(r for rnd in rounds for r in rnd.reviewers))
    terms = {ln.code: ln.term for ln in codelist.code_lines()}
    head = ["Code", "Term"] + [f"R{rnd.number} {name}" for rnd in rounds for name in reviewers
                               if name in rnd.reviewers] + ["Decision", "Uncertainty"]
    codes = list(dict.fromkeys(c for rnd in rounds for c in rnd.codes))
    rows = []
    for code in codes:
        cells = [code, terms.get(code, "")]
        for rnd in rounds:
            by_code = rnd.by_code().get(code, {})
            cells += [by_code.get(name, "") if code in rnd.codes else ""
                      for name in reviewers if name in rnd.reviewers]
        line = codelist.line_for(code)
        decision = {"active": "included", "excluded": "excluded",
                    "pending": "pending"}.get(line.kind if line else "", "")
        cells += [decision, (line.tags or {}).get("uncertainty", "") if line else ""]
        rows.append(cells)
    return [("h", 3, "Ratings per code"),
            ("p", "1 include, 2 unsure, 3 exclude; R1 is the independent first round."),
            ("table", head, rows)]


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
        rows = [[FREQUENCY_LABELS.get(k, k.replace("_", " ")), _plain(v)]
                for k, v in data.items()
                if not isinstance(v, dict | list) and k != "dedupe_same_day"]
        if rows:
            out.append(("table", ["Item", "Value"], rows))
        if data.get("outcomes"):
            from codelists.frequency.outputs import entry_table

            out.append(("p", "Sensitivity analysis: the outcome with every code, then with "
                             "only the codes of uncertainty 0, of uncertainty 1 or less and 2 "
                             "or less, and with the codes of each uncertainty level alone."))
            out.append(("table", *entry_table(data)))
        top = data.get("top_codes")
        if top:
            from codelists.method import pareto

            terms = codelist.terms()
            outcomes = data.get("outcomes") or []
            total = outcomes[0].get("episodes") if outcomes else None
            half, ninety = data.get("codes_for_50_percent"), data.get("codes_for_90_percent")
            shares = " ".join(x for x in (
                f"{half} code(s) give 50% of episodes." if half else "",
                f"{ninety} code(s) give 90%." if ninety else "") if x)
            out.append(("p", "The codes most used, most first (Pareto chart: bars are "
                             "episodes, the line the cumulative share of "
                             f"{'all the list' if total else 'these codes'}'s episodes; "
                             f"dashed, 50% and 90%). {shares}".rstrip()))
            out.append(("image", "pareto.svg", pareto.svg(top, terms=terms, total=total),
                        "Pareto chart of code usage"))
            out.append(("table", ["Code", "Term", "Episodes", "Patients", "Cumulative %"],
                        [[code, terms.get(code, ""), episodes,
                          next((r.get("patients", "") for r in top
                                if str(r.get("code")) == code), ""), f"{100 * share:.1f}"]
                         for code, episodes, share in pareto.rows_of(top, total)]))
        never = data.get("codes_never_used")
        if never:
            out.append(("p", f"Codes never used ({len(never)}): {', '.join(map(str, never))}."))
        if not rows and not data.get("outcomes"):
            out.append(("p", "A frequency check is recorded in the file."))
    return out


FREQUENCY_LABELS = {
    "date": "Date of the check", "tool": "Tool", "engine": "Engine", "events": "Events file",
    "cohort": "Cohort file", "window": "Window (relative to the index date)",
    "episodes": "Episode definition", "cohort_patients": "Cohort patients",
    "codes_used": "Codes used", "codes_for_50_percent": "Codes giving 50% of episodes",
    "codes_for_90_percent": "Codes giving 90% of episodes",
}


def _plain(value: Any) -> Any:
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return value


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


STYLE = """
:root{--ink:#1f2933;--muted:#52606d;--rule:#cbd2d9;--head:#e4e7eb;--accent:#1f4e79}
body{font-family:"Source Sans Pro","Helvetica Neue",Helvetica,Arial,sans-serif;
max-width:62rem;margin:2rem auto;padding:0 1.2rem;color:var(--ink);line-height:1.5;
font-size:15px}
header.report{border-bottom:3px solid var(--accent);margin-bottom:1.5rem}
header.report h1{color:var(--accent);margin-bottom:.2rem}
header.report p{color:var(--muted);margin-top:0}
h2{color:var(--accent);border-bottom:1px solid var(--rule);padding-bottom:.2rem;
margin-top:2.2rem}
h3{margin-top:1.5rem}
nav.toc{background:#f5f7fa;border:1px solid var(--rule);padding:.6rem 1.2rem;
margin:1rem 0 2rem}
nav.toc ol{margin:.3rem 0;padding-left:0;list-style:none}
table{border-collapse:collapse;margin:.8rem 0 1.2rem;font-size:.92em;width:auto}
td,th{border:1px solid var(--rule);padding:.25rem .6rem;text-align:left;vertical-align:top}
th{background:var(--head)}
tbody tr:nth-child(even){background:#fafbfc}
td.num{text-align:right;font-variant-numeric:tabular-nums}
pre{background:#f5f7fa;border:1px solid var(--rule);padding:.8rem;overflow-x:auto;
font-size:.85em;white-space:pre-wrap;word-break:break-word}
figure{margin:1rem 0;text-align:center}figure svg{max-width:100%;height:auto}
figcaption{color:var(--muted);font-size:.9em;margin-top:.3rem}
footer{color:var(--muted);font-size:.85em;border-top:1px solid var(--rule);
margin-top:3rem;padding-top:.5rem}
@page{size:A4;margin:18mm 16mm 20mm}
@media print{
 body{max-width:none;margin:0;padding:0;font-size:10pt;color:#000}
 nav.toc{display:none}
 h2{break-after:avoid;page-break-after:avoid;border-color:#999}
 h3{break-after:avoid;page-break-after:avoid}
 h2.section{break-before:page;page-break-before:always}
 table{font-size:8.5pt;width:100%}
 thead{display:table-header-group}
 tr,figure,pre{break-inside:avoid;page-break-inside:avoid}
 pre{white-space:pre-wrap;font-size:7.5pt}
 tbody tr:nth-child(even){background:none}
 th{background:#eee !important;-webkit-print-color-adjust:exact;print-color-adjust:exact}
 a{color:#000;text-decoration:none}
}
"""


def _inline(text: str) -> str:
    """Escape, then render **bold** and `code` spans."""
    import re

    escaped = _html.escape(text)
    escaped = re.sub(r"\*\*(.+?)\*\*", r"<strong>\1</strong>", escaped)
    return re.sub(r"`(.+?)`", r"<code>\1</code>", escaped)


def html(blocks: list[Block], title: str = "Methods report") -> str:
    """A standalone page: styles (screen and print), a contents list, every figure
    inline; printing it (or Chromium's PDF export) gives the publication supplement."""
    body = list(blocks)
    head_blocks = []
    while body and body[0][0] in ("h", "p") and (body[0][0] == "p" or body[0][1] == 1):
        head_blocks.append(body.pop(0))
        if len(head_blocks) == 2:
            break
    sections = [item[2] for item in body if item[0] == "h" and item[1] == 2]
    toc = ("<nav class=\"toc\" aria-label=\"Contents\"><strong>Contents</strong><ol>"
           + "".join(f'<li><a href="#{_anchor(t)}">{_html.escape(t)}</a></li>'
                     for t in sections) + "</ol></nav>") if sections else ""
    out = ["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
           '<meta name="viewport" content="width=device-width, initial-scale=1">',
           f"<title>{_html.escape(title)}</title><style>{STYLE}</style></head><body>",
           '<header class="report">' + html_fragment(head_blocks) + "</header>", toc,
           "<main>" + html_fragment(body) + "</main>",
           "<footer>Generated by codelists from the codelist file's method block; every "
           "number above can be reproduced with <code>codelist report</code>.</footer>",
           "</body></html>"]
    return "\n".join(out) + "\n"


def _anchor(text: str) -> str:
    import re

    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def html_fragment(blocks: list[Block], *, shift: int = 0) -> str:
    """The blocks as HTML elements (escaped; images are the library's own SVG), headings
    moved ``shift`` levels down, for embedding in a page."""
    out: list[str] = []
    for item in blocks:
        kind = item[0]
        if kind == "h":
            level = min(6, item[1] + shift)
            anchor = f' id="{_anchor(item[2])}"' if item[1] == 2 else ""
            out.append(f"<h{level}{anchor}>{_html.escape(item[2])}</h{level}>")
        elif kind == "p":
            out.append(f"<p>{_inline(item[1])}</p>")
        elif kind == "list":
            out.append("<ul>" + "".join(f"<li>{_inline(x)}</li>" for x in item[1]) + "</ul>")
        elif kind == "table":
            head = "".join(f'<th scope="col">{_html.escape(str(h))}</th>' for h in item[1])
            rows = "".join("<tr>" + "".join(_td(c) for c in row) + "</tr>"
                           for row in item[2])
            out.append(f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>")
        elif kind == "code":
            out.append(f'<pre><code class="language-{item[1]}">{_html.escape(item[2])}'
                       "</code></pre>")
        elif kind == "image":
            out.append(f'<figure role="img" aria-label="{_html.escape(item[3])}">{item[2]}'
                       f"<figcaption>{_html.escape(item[3][:1].upper() + item[3][1:])}"
                       "</figcaption></figure>")
    return "\n".join(out)


def _td(value: Any) -> str:
    text = str(value)
    numeric = (isinstance(value, int | float) and not isinstance(value, bool)) or (
        text.endswith("%") and text[:-1].replace(".", "", 1).lstrip("-").isdigit())
    return f'<td class="num">{_html.escape(text)}</td>' if numeric else \
        f"<td>{_html.escape(text)}</td>"


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

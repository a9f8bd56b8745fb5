"""Text output of the `codelist terminology` commands (rich tables and a progress bar)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from rich.markup import escape
from rich.progress import (
    BarColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from codelists.cli import output
from codelists.terminology.base import ConceptDetail, SearchHit


class ImportProgress:
    """A progress bar on stderr fed by an importer's progress callback.

    Importers call the callback with an event having ``stage``, ``done``, ``total`` and,
    for a ``"warning"`` stage, ``message`` (duck-typed, so any system's importer fits).
    """

    def __init__(self, *, enabled: bool = True, label: str = "importing"):
        self.enabled = enabled
        self.label = label
        self.progress: Progress | None = None
        self.task = None

    def __enter__(self) -> ImportProgress:
        if self.enabled:
            self.progress = Progress(
                TextColumn("{task.description:<40}"), BarColumn(),
                TextColumn("{task.percentage:>3.0f}%"), TimeElapsedColumn(),
                TimeRemainingColumn(), console=output.stderr(), transient=True,
            )
            self.progress.start()
            self.task = self.progress.add_task(self.label, total=None)
        return self

    def __exit__(self, *exc: object) -> None:
        if self.progress is not None:
            self.progress.stop()

    def callback(self, warnings: list[str]):
        def on_event(event: Any) -> None:
            stage = getattr(event, "stage", "")
            if stage == "warning":
                warnings.append(getattr(event, "message", ""))
                return
            if self.progress is not None:
                self.progress.update(self.task, description=escape(str(stage))[:40],
                                     completed=getattr(event, "done", 0),
                                     total=getattr(event, "total", None) or None)
        return on_event


SUMMARY_KEYS = ["concepts", "active_concepts", "descriptions", "relationships",
                "concrete_values", "closure_rows", "refsets", "refset_members", "codes"]


def import_summary(summary: dict[str, Any], warnings: list[str]) -> None:
    console = output.stdout()
    console.print(f"[bold]Imported[/bold] {escape(summary['terminology'])} "
                  f"{escape(summary.get('edition', ''))} {summary.get('release_date', '')} "
                  f"in {summary['seconds']} s")
    console.print(f"  store: {escape(summary['store'])}")
    for key in SUMMARY_KEYS:
        if key in summary:
            console.print(f"  {key.replace('_', ' ')}: {int(summary[key]):,}")
    stored = summary.get("warnings")
    if not warnings and stored:
        warnings = json.loads(stored) if isinstance(stored, str) else list(stored)
    for warning in warnings:
        output.warn(warning)


def store_list(rows: list[dict[str, Any]], data_dir: Path) -> None:
    console = output.stdout()
    if not rows:
        console.print(f"No stores in {escape(str(data_dir))}; import one with "
                      "`codelist terminology import PATH`.")
        return
    table = Table("terminology", "edition", "release", "path", title=f"Stores in {data_dir}")
    for row in rows:
        table.add_row(row["terminology"], row["edition"], row["release_date"],
                      escape(row["path"]))
    console.print(table)


def info(data: dict[str, Any]) -> None:
    console = output.stdout()
    for key, value in data.items():
        if key == "sources":
            value = ", ".join(s.get("path", "") for s in value)
        elif key == "warnings":
            value = len(json.loads(value)) if isinstance(value, str) else len(value)
        console.print(f"{key.replace('_', ' ')}: {escape(str(value))}")


def concept_rows(rows: list[dict[str, Any]], *, codes_only: bool = False) -> None:
    for row in rows:
        if codes_only:
            output.print_text(row["code"])
        else:
            flag = "" if row.get("active", True) else "  [inactive]"
            indent = "  " * max(row.get("depth", 1) - 1, 0)
            output.print_text(f"{indent}{row['code']}\t{row.get('term', '')}{flag}")


def hits(found: list[SearchHit], *, limit: int | None = None) -> None:
    """A table with a header (code, term, why it matched) and a count line."""
    if not found:
        output.print_text("no matches")
        return
    rows = []
    for hit in found:
        term = hit.preferred_term or hit.term
        if not hit.active:
            term += "  [inactive]"
        why = hit.why or ("" if hit.term == hit.preferred_term else f"matched '{hit.term}'")
        rows.append((hit.code, term, why))
    widths = [max(len(r[i]) for r in [("code", "term", "why"), *rows]) for i in range(2)]
    output.print_text(f"{'code':<{widths[0]}}  {'term':<{widths[1]}}  why")
    for code, term, why in rows:
        output.print_text(f"{code:<{widths[0]}}  {term:<{widths[1]}}  {why}".rstrip())
    more = " (the limit: there may be more; raise --limit)" if limit and len(found) >= limit \
        else ""
    output.print_text(f"{len(found)} code{'s' if len(found) != 1 else ''}{more}")


def detail(d: ConceptDetail) -> None:
    console = output.stdout()
    c = d.concept
    state = "active" if c.active else "[red]INACTIVE[/red]"
    console.print(f"[bold]{escape(c.code)}[/bold] {escape(c.term)}"
                  + (f" ({escape(c.kind)})" if c.kind else "") + f"  {state}")
    if d.inactivation:
        _inactivation(console, d.inactivation)
    if d.preferred_terms:
        console.print("[bold]Preferred terms[/bold]")
        for dialect, term in d.preferred_terms.items():
            console.print(f"  {dialect}: {escape(term)}")
    if d.terms:
        console.print("[bold]Terms[/bold]")
        for t in d.terms:
            extra = ", ".join(f"{k}: {v}" for k, v in t.get("acceptability", {}).items())
            flag = "" if t.get("active", True) else " [inactive]"
            console.print(f"  {t.get('type', ''):<10} {escape(t['term'])}{flag}"
                          + (f"  [dim]({extra})[/dim]" if extra else ""))
    _concept_section(console, "Parents", d.parents)
    _concept_section(console, "Children", d.children)
    console.print(f"Ancestors: {d.ancestor_count:,}   Descendants: {d.descendant_count:,}")
    _attributes(console, d.attributes)
    _refsets(console, d.refsets)
    _maps(console, d.maps)
    _simple_section(console, "Notes", d.notes)


def _inactivation(console, inactivation: dict[str, Any]) -> None:
    reason = inactivation.get("reason_term") or inactivation.get("reason") or "not given"
    console.print(f"[bold]Inactivation reason[/bold]: {escape(str(reason))}")
    for r in inactivation.get("replacements", []):
        console.print(f"  {escape(r.get('association_term', r.get('association', '')))}: "
                      f"{r['code']} {escape(r.get('term', ''))}")


def _concept_section(console, title: str, concepts) -> None:
    if not concepts:
        return
    console.print(f"[bold]{title}[/bold]")
    for c in concepts:
        flag = "" if c.active else " [inactive]"
        console.print(f"  {c.code} {escape(c.term)}{flag}")


def _attributes(console, attributes: list[dict[str, Any]]) -> None:
    if not attributes:
        return
    console.print("[bold]Attributes[/bold]")
    group = None
    for a in attributes:
        if a.get("group") != group:
            group = a.get("group")
            console.print(f"  group {group}")
        value = f"{a['value']} {a.get('value_term', '')}".strip()
        console.print(f"    {escape(a.get('type_term') or a['type'])} = {escape(value)}")


def _refsets(console, refsets: list[dict[str, Any]]) -> None:
    if not refsets or not all("refset" in r for r in refsets):
        _simple_section(console, "Refsets", refsets)
        return
    console.print("[bold]Refsets[/bold]")
    for r in refsets:
        console.print(f"  {r['refset']} {escape(str(r.get('term', '')))}")


_MAP_DETAILS = ("group", "priority", "rule", "advice", "correlation", "category", "block")


def _maps(console, maps: list[dict[str, Any]]) -> None:
    if not maps or not all("target" in m for m in maps):
        _simple_section(console, "Maps", maps)
        return
    console.print("[bold]Maps[/bold]")
    for m in maps:
        name = m.get("refset_term") or m.get("refset") or m.get("system", "")
        details = ", ".join(f"{k} {m[k]}" for k in _MAP_DETAILS if m.get(k) not in (None, ""))
        console.print(f"  {escape(str(name))} → {escape(str(m['target']))}"
                      + (f"  [dim]({escape(details)})[/dim]" if details else ""))


def _simple_section(console, title: str, items: list[dict[str, Any]]) -> None:
    if not items:
        return
    console.print(f"[bold]{title}[/bold]")
    for item in items:
        text = ", ".join(f"{k}: {v}" for k, v in item.items() if v not in (None, ""))
        console.print(f"  {escape(text)}")

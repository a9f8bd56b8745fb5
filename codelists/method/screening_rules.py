"""Screening by rules: patterns with a reason each, first match wins.

A rules file lists, in order, patterns over a candidate's term with the screening reason
(and optional note) a match gives; a pending candidate is excluded by the *first* rule it
matches, and candidates no rule matches stay pending.  The rules are recorded in the
``method:`` block (``screening.rules``) and applied again to the new candidates of every
``codelist search run``, so a re-run screens the same way.

Rules file (YAML, or CSV/TSV with these columns)::

    - pattern: apnoea                # required
      match: words                   # words (default): these words, in order, whole words
                                     # regex: a Python regular expression
      case_sensitive: false          # default false
      reason: different-condition    # a screening reason (see screening.REASONS)
      note: apnoea                   # optional free text (required for reason other)
      within: R06.8                  # optional: only this code and its descendants

A malformed file is refused whole, every defect listed with its line.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from codelists.errors import InputFileError, UserError
from codelists.method.screening import check_reason

MATCHES = ("words", "regex")
FIELDS = ("pattern", "match", "case_sensitive", "reason", "note", "within")


@dataclass(frozen=True)
class ScreenRule:
    pattern: str
    reason: str
    match: str = "words"
    case_sensitive: bool = False
    note: str = ""
    within: str = ""

    def regex(self) -> re.Pattern[str]:
        if self.match == "regex":
            text = self.pattern
        else:
            words = [re.escape(w) for w in self.pattern.split()]
            text = r"(?<!\w)" + r"\s+".join(words) + r"(?!\w)"
        return re.compile(text, 0 if self.case_sensitive else re.IGNORECASE)

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"pattern": self.pattern, "match": self.match,
                                "case_sensitive": self.case_sensitive, "reason": self.reason}
        if self.note:
            data["note"] = self.note
        if self.within:
            data["within"] = self.within
        return data

    def describe(self) -> str:
        scope = f" within {self.within}" if self.within else ""
        note = f" ({self.note})" if self.note else ""
        return f"{self.match} '{self.pattern}'{scope} -> {self.reason}{note}"


def rule_from_data(data: Any, where: str) -> tuple[ScreenRule | None, list[str]]:
    """A rule from a mapping, or the list of what is wrong with it (``where`` prefixes
    each problem: ``line 4``)."""
    if not isinstance(data, dict):
        return None, [f"{where}: a rule must be a mapping with pattern and reason"]
    problems = []
    unknown = sorted(set(data) - set(FIELDS))
    if unknown:
        problems.append(f"{where}: unknown field(s) {', '.join(unknown)} "
                        f"(fields: {', '.join(FIELDS)})")
    pattern = str(data.get("pattern") or "").strip()
    if not pattern:
        problems.append(f"{where}: no pattern")
    match = str(data.get("match") or "words").strip().lower()
    if match not in MATCHES:
        problems.append(f"{where}: match must be words or regex, not '{match}'")
    case = _boolean(data.get("case_sensitive"), where, problems)
    note = str(data.get("note") or "").strip()
    reason = str(data.get("reason") or "").strip()
    try:
        reason = check_reason(reason, note) if reason else ""
    except UserError as exc:
        problems.append(f"{where}: {exc.message} ({exc.hint})" if exc.hint else
                        f"{where}: {exc.message}")
    if not reason and not any("reason" in p for p in problems):
        problems.append(f"{where}: no reason (one of the screening reasons)")
    if problems:
        return None, problems
    rule = ScreenRule(pattern, reason, match, case, note, str(data.get("within") or "").strip())
    try:
        rule.regex()
    except re.error as exc:
        return None, [f"{where}: pattern '{pattern}' is not a valid regular expression: {exc}"]
    return rule, []


def _boolean(value: Any, where: str, problems: list[str]) -> bool:
    if value is None or value == "":
        return False
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("true", "yes", "1", "y"):
        return True
    if text in ("false", "no", "0", "n"):
        return False
    problems.append(f"{where}: case_sensitive must be true or false, not '{value}'")
    return False


def read_rules(path: str | Path) -> list[ScreenRule]:
    """Rules from a YAML or CSV/TSV file; every defect listed, or none read."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise InputFileError(f"cannot read the rules file: {exc.strerror}", path=path) from exc
    if path.suffix.lower() in (".csv", ".tsv", ".txt"):
        entries = _csv_entries(text, "\t" if path.suffix.lower() != ".csv" else ",")
    else:
        entries = _yaml_entries(text, path)
    rules, problems = [], []
    for where, data in entries:
        rule, wrong = rule_from_data(data, where)
        problems += wrong
        if rule is not None:
            rules.append(rule)
    if not entries:
        problems.append("no rules in the file")
    if problems:
        raise InputFileError(
            f"{len(problems)} problem(s) in the screening rules:\n  " + "\n  ".join(problems),
            path=path, hint="fix each line listed; nothing was screened")
    return rules


def _csv_entries(text: str, delimiter: str) -> list[tuple[str, dict]]:
    reader = csv.reader(text.splitlines(), delimiter=delimiter)
    header = [h.strip().lower().replace(" ", "_") for h in next(reader, [])]
    entries = []
    for number, row in enumerate(reader, start=2):
        if not any(cell.strip() for cell in row):
            continue
        entries.append((f"line {number}", {h: v for h, v in zip(header, row, strict=False)
                                           if h and v.strip()}))
    return entries


def _yaml_entries(text: str, path: Path) -> list[tuple[str, Any]]:
    import yaml

    try:
        nodes = yaml.compose(text)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise InputFileError(f"not valid YAML: {getattr(exc, 'problem', exc)}", path=path,
                             line=mark.line + 1 if mark else None,
                             hint="write a list of rules: - {pattern: ..., reason: ...}") from exc
    if isinstance(data, dict) and "rules" in data:
        data = data["rules"]
        nodes = next((v for k, v in nodes.value if k.value == "rules"), None)
    if not isinstance(data, list):
        raise InputFileError("the rules file must be a list of rules", path=path,
                             hint="write a list: - {pattern: apnoea, reason: ...}")
    lines = [n.start_mark.line + 1 for n in nodes.value] if nodes is not None else []
    return [(f"line {lines[i] if i < len(lines) else '?'}", item)
            for i, item in enumerate(data)]


def first_match(rules: list[ScreenRule], code: str, term: str,
                inside: dict[str, set[str]]) -> int | None:
    """The index of the first rule that screens out this candidate (None: no rule)."""
    for index, rule in enumerate(rules):
        if rule.within and code not in inside.get(rule.within, set()):
            continue
        if rule.regex().search(term or ""):
            return index
    return None


def subtrees(rules: Iterable[ScreenRule], terminology) -> dict[str, set[str]]:
    """``within`` code -> that code and its descendants (needs a terminology)."""
    wanted = sorted({r.within for r in rules if r.within})
    if wanted and terminology is None:
        raise UserError(f"screening rules with within ({', '.join(wanted)}) need a "
                        "terminology store to know the subtree",
                        hint="run with a store (--db/--terminology), or drop within")
    return {code: set(terminology.descendants(code, include_self=True)) for code in wanted}


def apply_rules(codelist, rules: list[ScreenRule], *, terminology=None,
                codes: Iterable[str] | None = None, dry_run: bool = False,
                ) -> list[tuple[str, str, int]]:
    """Screen pending candidates (all, or ``codes``) by the rules, first match winning.

    Returns ``(code, term, rule index)`` for each candidate screened out; with
    ``dry_run`` nothing changes.
    """
    inside = subtrees(rules, terminology)
    wanted = None if codes is None else set(codes)
    screened = []
    for line in list(codelist.code_lines("pending")):
        if wanted is not None and line.code not in wanted:
            continue
        index = first_match(rules, line.code, line.term, inside)
        if index is None:
            continue
        screened.append((line.code, line.term, index))
        if not dry_run:
            rule = rules[index]
            codelist.exclude(line.code, reason=rule.reason, comment=rule.note or None)
    return screened

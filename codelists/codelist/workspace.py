"""What a hierarchy builder works on: searches over a terminology, the concepts they
find with all their descendants, and the include/exclude decisions over them.

A :class:`Workspace` holds the concepts of its searches and their hierarchy in memory,
so deciding a code and resolving every status again is a dictionary walk, not a store
query; it is itself a hierarchy (``parents(code)``) for
:func:`codelists.codelist.definition.resolve` and
:func:`codelists.codelist.tree.build_tree`, whose semantics it uses unchanged.

The workspace holds each search's matches and every descendant of them: a decided
code's ancestors on the way to any other code of the workspace are then all inside it,
so resolving within it gives the same answer as resolving over the whole release.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from codelists.codelist.definition import Rule, Status, resolve_below
from codelists.codelist.tree import Tree, natural_key
from codelists.errors import UnknownCodeError, UsageError

KINDS = {"term": "words of a term", "regex": "regular expression",
         "stata": "Stata regexm() pattern (case-sensitive)", "code": "code",
         "ecl": "ECL expression", "codes": "codes of a list"}
#: at most this many matches are kept from one search
MAX_MATCHES = 50_000


@dataclass(frozen=True)
class Search:
    kind: str  # one of KINDS
    query: str

    def to_mapping(self) -> dict[str, str]:
        return {"kind": self.kind, "query": self.query}

    @classmethod
    def from_mapping(cls, data) -> Search:
        kind, query = str(data.get("kind", "")), str(data.get("query", "")).strip()
        if kind not in KINDS:
            raise UsageError(f"unknown kind of search {kind!r}",
                             hint="search by " + ", ".join(KINDS))
        if not query:
            raise UsageError("an empty search finds nothing", hint="type what to search for")
        return cls(kind, query)

    def label(self) -> str:
        if self.kind == "codes":
            return f"{len(self.query.split()):,} codes of a list"
        return f"{KINDS[self.kind]}: {self.query}"


def run_search(search: Search, terminology) -> list[str]:
    """The active concepts a search matches (each once, in the order found)."""
    if search.kind == "term":
        hits = terminology.search(search.query, limit=MAX_MATCHES)
    elif search.kind == "regex":
        hits = terminology.search_regex(search.query, limit=MAX_MATCHES)
    elif search.kind == "stata":  # the method's syntax, with Stata's exact meaning
        from codelists.method.stata_regex import translate

        hits = terminology.search_regex(translate(search.query), limit=MAX_MATCHES,
                                        ignore_case=False)
    elif search.kind in ("code", "codes"):
        codes = search.query.split()
        found = terminology.lookup_many(codes)
        return list(dict.fromkeys(found[c].code for c in codes
                                  if c in found and found[c].active))
    else:
        if getattr(terminology, "system", "") != "snomedct":
            raise UsageError("ECL searches need a SNOMED CT release",
                             hint="search by term or code instead")
        from codelists.ecl import evaluate

        return [str(i) for i in evaluate(search.query, terminology).ids][:MAX_MATCHES]
    seen: dict[str, None] = {}
    for hit in hits:
        if hit.active:
            seen.setdefault(hit.code, None)
    return list(seen)


class Workspace:
    """The concepts of some searches (matches and descendants) with their hierarchy."""

    def __init__(self, terminology, searches: Iterable[Search]):
        self.searches = tuple(searches)
        self.matches: dict[str, set[int]] = {}  # code -> indexes of the searches
        for index, search in enumerate(self.searches):
            for code in run_search(search, terminology):
                self.matches.setdefault(code, set()).add(index)
        above = _parents_of(terminology, list(self.matches))
        matched = self.matches
        codes: set[str] = set(matched)
        # every match with a matched parent lies below a match without one (follow
        # matched parents up): the descendants of those "tops" cover all the others'
        for code in matched:
            if not any(p in matched for p in above.get(code, ())):
                codes.update(_descendants(terminology, code))
        missing = [c for c in codes if c not in above]
        above.update(_parents_of(terminology, missing))
        self.codes = frozenset(codes)
        self._parents = {code: [p for p in above.get(code, ()) if p in codes]
                         for code in codes}
        concepts = terminology.lookup_many(list(codes))
        self.terms = {code: concepts[code].term if code in concepts else ""
                      for code in codes}
        self._keys = {code: (term.casefold(), len(code), code)
                      for code, term in self.terms.items()}
        self._tree: Tree | None = None
        self._below: dict[str, frozenset[str]] = {}
        self._resolved: dict[tuple[Rule, ...], dict[str, Status]] = {}

    # the hierarchy protocol, within the workspace
    def parents(self, code: str) -> list[str]:
        return self._parents.get(code, [])

    def tree(self) -> Tree:
        """The workspace as a tree: each concept under its parents, tops at the roots.

        The workspace is closed under descendants of its matches, so a concept's nearest
        ancestors inside it are its parents inside it: no walk is needed."""
        if self._tree is None:
            kids: dict[str, list[str]] = {}
            roots = []
            for code, parents in self._parents.items():
                if not parents:
                    roots.append(code)
                for parent in parents:
                    kids.setdefault(parent, []).append(code)
            rank = {code: i for i, code in enumerate(sorted(self.codes, key=self.sort_key))}
            self._tree = Tree(tuple(sorted(roots, key=rank.__getitem__)),
                              {p: tuple(sorted(k, key=rank.__getitem__))
                               for p, k in kids.items()})
        return self._tree

    def sort_key(self, code: str):
        """Alphabetical by term, then by code (numbers numerically)."""
        return self._keys.get(code) or ("", len(code), code)

    def descendants(self, code: str) -> frozenset[str]:
        """A concept's descendants within the workspace (kept once computed)."""
        if code not in self._below:
            children = self.tree().children
            found: set[str] = set()
            stack = list(children.get(code, ()))
            while stack:
                current = stack.pop()
                if current not in found:
                    found.add(current)
                    stack.extend(children.get(current, ()))
            self._below[code] = frozenset(found)
        return self._below[code]

    def statuses(self, rules: Iterable[Rule]) -> dict[str, Status]:
        """Every concept's status under the rules: the library's semantics
        (:func:`resolve_below`, the same meaning as :func:`resolve`) over the workspace's
        own descendants; the last few answers are kept."""
        rules = tuple(r for r in rules if r.code in self.codes)
        if rules not in self._resolved:
            found = dict.fromkeys(self.codes, Status.UNRESOLVED)
            found.update(resolve_below(rules, self.descendants))
            while len(self._resolved) >= 4:
                self._resolved.pop(next(iter(self._resolved)))
            self._resolved[rules] = found
        return self._resolved[rules]

    def included(self, rules: Iterable[Rule]) -> list[str]:
        statuses = self.statuses(rules)
        return sorted((c for c, s in statuses.items() if s is Status.INCLUDED),
                      key=natural_key)

    def deciding(self, code: str, rules: Iterable[Rule]) -> list[Rule]:
        """The rules that decide a code: those on its nearest decided ancestors-or-self
        (two or more that disagree explain a conflict)."""
        decided = {r.code: r for r in rules if r.code in self.codes}
        found = [d for d in self._ancestors_or_self(code) if d in decided]
        nearest = [d for d in found
                   if not any(d in self._ancestors_or_self(e) for e in found if e != d)]
        return [decided[d] for d in sorted(nearest, key=natural_key)]

    def _ancestors_or_self(self, code: str) -> set[str]:
        seen, stack = set(), [code]
        while stack:
            current = stack.pop()
            if current not in seen:
                seen.add(current)
                stack.extend(self.parents(current))
        return seen

def _parents_of(terminology, codes: list[str]) -> dict[str, list[str]]:
    """Parents of many codes: in bulk where the store offers it (``parents_many``)."""
    bulk = getattr(terminology, "parents_many", None)
    if bulk is not None:
        return bulk(codes)
    found = {}
    for code in codes:
        try:
            found[code] = [str(p) for p in terminology.parents(code)]
        except UnknownCodeError:
            continue
    return found


def _descendants(terminology, code: str) -> list[str]:
    try:
        return terminology.descendants(code)
    except UnknownCodeError:
        return []


# -- the .codelist file: what a builder saves and reads back ---------------------------
def to_codelist(*, title: str, system: str, rules: Iterable[Rule],
                included: Iterable[tuple[str, str]], searches: Iterable[Search] = (),
                description: str | None = None, id: str | None = None,
                release: str | None = None, pending: bool = False):
    """A draft ``.codelist``: the included codes as lines (as pending lines, ``# ?``, when
    they go to a Delphi review first), the decisions as its definition, the searches as
    the method's search strategy."""
    from codelists.codelist.definition import Definition
    from codelists.codelist.template import new_codelist, slug

    codelist = new_codelist(None, id=id or slug(title), title=title, terminology=system,
                            description=description)
    if release and system == "snomedct":
        codelist.meta["snomed_release"] = release
    for code, term in included:
        (codelist.add_pending if pending else codelist.add_active)(code, term)
    codelist.definition = Definition(rules=tuple(rules))
    strategy = strategy_of(searches, system)
    if strategy:
        codelist.method = {"search": strategy}
    return codelist


def strategy_of(searches: Iterable[Search], system: str) -> dict:
    """Builder searches as the method's ``search:`` block (docs/reference/method-block.md):
    words as word-prefix terms, regular expressions as regex terms, ECL as ``ecl``, code
    searches under ``codes`` (one entry per search); every descendant of a hit is a
    candidate."""
    rules, ecl, codes = [], [], []
    for search in searches:
        if search.kind == "term":
            terms = [{"text": f"{w}*", "mode": "word", "case_sensitive": False}
                     for w in search.query.split()]
            rules.append({"id": str(len(rules) + 1), "all_of": terms, "label": search.query})
        elif search.kind in ("regex", "stata"):
            rules.append({"id": str(len(rules) + 1), "label": search.query, "all_of": [
                {"text": search.query, "mode": search.kind,
                 "case_sensitive": search.kind == "stata"}]})
        elif search.kind == "ecl":
            ecl.append(search.query)
        else:
            codes.append(" ".join(search.query.split()))
    if not (rules or ecl or codes):
        return {}
    data: dict = {"systems": [system], "expand": "descendants", "rules": rules}
    if ecl:
        data["ecl"] = ecl
    if codes:
        data["codes"] = codes
    return data


def searches_of(codelist) -> list[Search]:
    """The builder searches a ``.codelist`` records (the inverse of :func:`strategy_of`;
    rules written by hand that are not one word-prefix or regex search are skipped)."""
    data = (codelist.method or {}).get("search") or {}
    found: list[Search] = []
    for rule in data.get("rules") or []:
        terms = rule.get("all_of") if isinstance(rule, dict) else None
        if not terms or rule.get("none_of"):
            continue
        if all(t.get("mode") == "word" and str(t.get("text", "")).endswith("*")
               for t in terms):
            found.append(Search("term", " ".join(str(t["text"])[:-1] for t in terms)))
        elif len(terms) == 1 and terms[0].get("mode") in ("regex", "stata"):
            found.append(Search(str(terms[0]["mode"]), str(terms[0]["text"])))
    found += [Search("ecl", str(e)) for e in data.get("ecl") or []]
    for entry in data.get("codes") or []:
        codes = str(entry).split()
        if codes:
            found.append(Search("code" if len(codes) == 1 else "codes", " ".join(codes)))
    return found

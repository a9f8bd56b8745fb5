"""Read WHO ICD-10 ClaML: classes, rubrics, and the modifiers that make more codes.

ClaML lists chapters, blocks and categories as ``<Class>`` elements linked by
``<SuperClass>``; each has rubrics (``preferred``, ``preferredLong``, ``inclusion``,
``exclusion``, ``coding-hint``, ``note``, ``text``, ``introduction``, ``definition``,
``modifierlink``).  Some categories are subdivided by a *modifier* (``<ModifiedBy>``, or
only a ``modifierlink`` rubric pointing at one) whose ``<ModifierClass>`` codes make the
fourth or fifth character.  :func:`expand_modifiers` applies them as WHO's five patterns:

A  4th-character modifier on a category without children: E10 -> E10.0 ... E10.9
B  4th-character modifier on a category with children: I70.0 -> I70.00, I70.01
C  5th-character modifier on a category without children: M45 -> M45.X0 ... M45.X9
D  5th-character modifier on a category with children: M00.0 -> M00.00 ... M00.09
E  5th-character modifier on a four-character code: T14.2 -> T14.20, T14.21
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass, field

NOTE_KINDS = ("inclusion", "exclusion", "coding-hint", "note", "text", "introduction",
              "definition", "footnote")


@dataclass
class Rubric:
    kind: str
    text: str  # label text, references written in brackets: "synovia (C49.-)"
    bare: str  # label text without the references: "Tuberculous meningitis"
    asterisks: list[str] = field(default_factory=list)  # references with usage="aster"


@dataclass
class ClamlClass:
    code: str
    kind: str
    usage: str = ""
    parents: list[str] = field(default_factory=list)
    modifiers: list[str] = field(default_factory=list)
    excluded_modifiers: set[str] = field(default_factory=set)
    valid_modifier_classes: dict[str, set[str]] = field(default_factory=dict)
    rubrics: list[Rubric] = field(default_factory=list)

    def label(self, kind: str) -> str:
        for rubric in self.rubrics:
            if rubric.kind == kind:
                return rubric.bare
        return ""

    @property
    def term(self) -> str:
        return self.label("preferredLong") or self.label("preferred")


@dataclass
class Modifier:
    code: str  # "0" or ".0" as written
    usage: str
    rubrics: list[Rubric]

    @property
    def digit(self) -> str:
        return self.code.lstrip(".")

    @property
    def term(self) -> str:
        for kind in ("preferred", "preferredLong"):
            for rubric in self.rubrics:
                if rubric.kind == kind:
                    return rubric.bare
        return self.code


def _label(rubric: ET.Element) -> Rubric:
    label = rubric.find("Label")
    kind = rubric.get("kind", "")
    if label is None:
        return Rubric(kind, "", "")
    asterisks: list[str] = []

    def walk(node: ET.Element, with_refs: bool) -> str:
        parts = [node.text or ""]
        for child in node:
            if child.tag == "Reference":
                ref = " ".join("".join(child.itertext()).split())
                if child.get("usage") == "aster" and with_refs:
                    asterisks.append(child.get("code") or ref)
                if with_refs:
                    parts.append(f" ({ref})")
            elif child.tag == "Fragment":
                parts.append(" " + walk(child, with_refs))
            elif child.tag == "Term" and child.get("class") == "tab":
                parts.append(" ")
            else:
                parts.append(walk(child, with_refs))
            parts.append(child.tail or "")
        return "".join(parts)

    text = " ".join(walk(label, True).split())
    bare = " ".join(walk(label, False).split())
    return Rubric(kind, text, bare, asterisks)


def parse(root: ET.Element) -> tuple[dict[str, ClamlClass], dict[str, list[Modifier]]]:
    """Every class by code (in document order) and every modifier's classes."""
    classes: dict[str, ClamlClass] = {}
    modifiers: dict[str, list[Modifier]] = {}
    for node in root.iter("ModifierClass"):
        rubrics = [_label(r) for r in node.findall("Rubric")]
        modifiers.setdefault(node.get("modifier", ""), []).append(
            Modifier(node.get("code", ""), node.get("usage", ""), rubrics))
    for node in root.iter("Class"):
        cls = ClamlClass(code=node.get("code", ""), kind=node.get("kind", ""),
                         usage=node.get("usage", ""))
        cls.parents = [s.get("code", "") for s in node.findall("SuperClass")]
        for mod in node.findall("ModifiedBy"):
            cls.modifiers.append(mod.get("code", ""))
            valid = {v.get("code", "") for v in mod.findall("ValidModifierClass")}
            if valid:
                cls.valid_modifier_classes[mod.get("code", "")] = valid
        cls.excluded_modifiers = {e.get("code", "") for e in node.findall("ExcludeModifier")}
        cls.rubrics = [_label(r) for r in node.findall("Rubric")]
        for rubric in node.findall("Rubric"):
            if rubric.get("kind") == "modifierlink":
                for ref in rubric.iter("Reference"):
                    code = ref.get("code")
                    if code and code in modifiers and code not in cls.modifiers:
                        cls.modifiers.append(code)
        classes[cls.code] = cls
    return classes, modifiers


@dataclass
class Expanded:
    code: str
    parent: str
    term: str
    modifier: Modifier


def _children(classes: dict[str, ClamlClass]) -> dict[str, list[str]]:
    children: dict[str, list[str]] = {}
    for cls in classes.values():
        for parent in cls.parents:
            children.setdefault(parent, []).append(cls.code)
    return children


def expand_modifiers(classes: dict[str, ClamlClass],
                     modifiers: dict[str, list[Modifier]]) -> list[Expanded]:
    """The codes the modifiers make (patterns A to E in the module docstring)."""
    children = _children(classes)
    out: list[Expanded] = []
    for cls in classes.values():
        for modifier_id in cls.modifiers:
            values = modifiers.get(modifier_id, [])
            position = 5 if modifier_id.endswith("_5") else 4
            kids = [classes[k] for k in children.get(cls.code, []) if k in classes]
            targets = kids if kids else [cls]
            for target in targets:
                if modifier_id in target.excluded_modifiers:
                    continue
                valid = cls.valid_modifier_classes.get(modifier_id)
                for value in values:
                    if valid is not None and value.code not in valid:
                        continue
                    code = _extended_code(target.code, value.code, position)
                    if code is None or code in classes:
                        continue
                    out.append(Expanded(code, target.code,
                                        f"{target.term} ({value.term})", value))
    return out


def _extended_code(base: str, value: str, position: int) -> str | None:
    """A fourth character on a three-character code is written ``.0`` in ClaML; any
    other modifier value (``0``) is appended as it is (WHO ignores the mismatches)."""
    head, _, tail = base.partition(".")
    if len(head) != 3:
        return None
    if not tail and position == 4:
        return f"{head}{value}" if value.startswith(".") and len(value) == 2 else None
    if value.startswith("."):
        return None
    if not tail:
        return f"{head}.X{value}"
    if len(tail) == 1:
        return f"{head}.{tail}{value}"
    return None

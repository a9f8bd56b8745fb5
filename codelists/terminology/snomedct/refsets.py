"""Reference set patterns: which generic member table each RF2 refset file goes to.

The pattern is recognised from the file's header (the columns after the six common
ones), so a refset lands in the right table whatever its file is called.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass

MAP_FIELDS = ["mapGroup", "mapPriority", "mapRule", "mapAdvice", "mapTarget", "correlationId"]


@dataclass(frozen=True)
class Pattern:
    table: str
    insert_columns: tuple[str, ...]
    convert: Callable[[list[str]], tuple]


def _int_or_none(text: str) -> int | None:
    return int(text) if text else None


def _common(p: list[str]) -> tuple:
    return (p[0], int(p[1]), int(p[2]), int(p[3]), int(p[4]), int(p[5]))


COMMON_COLUMNS = ("id", "effective_time", "active", "module_id", "refset_id",
                  "referenced_component_id")


def _simple(p):
    return (p[0], int(p[1]), int(p[2]), int(p[3]), int(p[4]), int(p[5]))


def _one_int(p):
    return (p[0], int(p[1]), int(p[2]), int(p[3]), int(p[4]), int(p[5]), int(p[6]))


def _one_text(p):
    return (p[0], int(p[1]), int(p[2]), int(p[3]), int(p[4]), int(p[5]), p[6])


def _extended(category: bool):
    def convert(p):
        last = _int_or_none(p[12]) if len(p) > 12 else None
        return (*_common(p), _int_or_none(p[6]), _int_or_none(p[7]), p[8], p[9], p[10],
                _int_or_none(p[11]), last if category else None,
                None if category else last)
    return convert


EXTENDED_COLUMNS = COMMON_COLUMNS + ("map_group", "map_priority", "map_rule", "map_advice",
                                     "map_target", "correlation_id", "map_category_id",
                                     "map_block")

#: the additional fields of a refset file -> its pattern
PATTERNS: dict[tuple[str, ...], Pattern] = {
    (): Pattern("refset_simple", COMMON_COLUMNS, _simple),
    ("acceptabilityId",): Pattern("refset_language", COMMON_COLUMNS + ("acceptability_id",),
                                  _one_int),
    ("targetComponentId",): Pattern("refset_association",
                                    COMMON_COLUMNS + ("target_component_id",), _one_int),
    ("valueId",): Pattern("refset_attribute_value", COMMON_COLUMNS + ("value_id",), _one_int),
    ("mapTarget",): Pattern("refset_simple_map", COMMON_COLUMNS + ("map_target",), _one_text),
    (*MAP_FIELDS, "mapCategoryId"): Pattern("refset_extended_map", EXTENDED_COLUMNS,
                                            _extended(True)),
    (*MAP_FIELDS, "mapBlock"): Pattern("refset_extended_map", EXTENDED_COLUMNS,
                                       _extended(False)),
    tuple(MAP_FIELDS): Pattern("refset_extended_map", EXTENDED_COLUMNS, _extended(True)),
}

OTHER_COLUMNS = COMMON_COLUMNS + ("pattern", "fields")


def pattern_for(header: list[str], file_name: str) -> Pattern:
    """The member table for a refset file with this header."""
    extra = tuple(header[6:])
    found = PATTERNS.get(extra)
    if found is not None:
        return found
    name = pattern_name(file_name)

    def convert(p):
        fields = json.dumps(dict(zip(extra, p[6:], strict=True)), ensure_ascii=False)
        return (p[0], int(p[1]), int(p[2]), int(p[3]), int(p[4]), p[5], name, fields)

    return Pattern("refset_other", OTHER_COLUMNS, convert)


def pattern_name(file_name: str) -> str:
    """``der2_cissccRefset_MRCMAttributeDomainSnapshot_INT_...`` -> ``cissccRefset_MRCMAttributeDomain``."""
    base = file_name.rsplit("/", 1)[-1].split("_")
    if len(base) < 3:
        return file_name
    summary = base[2]
    for marker in ("Snapshot", "Full", "Delta"):
        summary = summary.split(marker)[0]
    return f"{base[1]}_{summary}"


MEMBER_TABLES = ("refset_simple", "refset_language", "refset_association",
                 "refset_attribute_value", "refset_simple_map", "refset_extended_map",
                 "refset_other")

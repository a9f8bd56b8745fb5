"""The YAML front matter: read as YAML 1.2 core (as sct does), written in sct's style.

Dates stay strings (``created: 2026-03-28`` is the string ``"2026-03-28"``, as in sct,
not a ``datetime.date``).  Unchanged front matter is written back exactly as read; when
some keys changed only those keys' blocks are rewritten (so a version bump of an
sct-written file gives the same bytes sct would write), and otherwise the whole block is
emitted in sct's style: block mappings, indentless sequences, plain scalars where
unambiguous, single quotes otherwise, literal blocks for multi-line text.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

from codelists.errors import CodelistFormatError

_BOOL = re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$")
_NULL = re.compile(r"^(?:~|null|Null|NULL|)$")
_INT = re.compile(r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$")
_FLOAT = re.compile(
    r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
    r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
)


def _core_resolvers(cls) -> None:
    """Replace PyYAML's YAML 1.1 implicit types with the YAML 1.2 core schema."""
    cls.yaml_implicit_resolvers = {}
    cls.add_implicit_resolver("tag:yaml.org,2002:bool", _BOOL, list("tTfF"))
    cls.add_implicit_resolver("tag:yaml.org,2002:null", _NULL, ["~", "n", "N", ""])
    cls.add_implicit_resolver("tag:yaml.org,2002:int", _INT, list("-+0123456789"))
    cls.add_implicit_resolver("tag:yaml.org,2002:float", _FLOAT, list("-+.0123456789"))


# libyaml (the C parser and emitter sct's serde_yaml also wraps) when PyYAML has it
_BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_BaseDumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


class _Loader(_BaseLoader):
    pass


def _int(loader, node):
    value = loader.construct_scalar(node)
    if value.startswith(("0o", "0x")):
        return int(value, 0)
    return int(value, 10)


_core_resolvers(_Loader)
_Loader.add_constructor("tag:yaml.org,2002:int", _int)
_Loader.add_constructor("tag:yaml.org,2002:timestamp",
                        lambda loader, node: loader.construct_scalar(node))


class _Dumper(_BaseDumper):
    pass


def _str(dumper, value: str):
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_core_resolvers(_Dumper)
_Dumper.add_representer(str, _str)


#: how much content aliases may repeat beyond the text itself (scalar characters plus one
#: per node): a 1 KB "billion laughs" front matter would otherwise expand to gigabytes
MAX_ALIAS_EXPANSION = 64 * 1024


def _expanded_size(node, sizes: dict[int, int]) -> int:
    """Size of a composed node with every alias expanded (memoised: linear in nodes)."""
    known = sizes.get(id(node))
    if known is not None:
        return known
    sizes[id(node)] = 0  # a recursive alias counts nothing more the second time
    if isinstance(node, yaml.ScalarNode):
        size = 1 + len(node.value)
    elif isinstance(node, yaml.SequenceNode):
        size = 1 + sum(_expanded_size(child, sizes) for child in node.value)
    else:
        size = 1 + sum(_expanded_size(k, sizes) + _expanded_size(v, sizes)
                       for k, v in node.value)
    sizes[id(node)] = size
    return size


def _load_bounded(text: str, *, path, first_line: int) -> Any:
    """Compose the YAML, refuse it if aliases would expand it past the bound, then build
    the Python data from the composed nodes (nothing is expanded before the check)."""
    from codelists.errors import LimitExceeded

    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        if "*" in text and _expanded_size(node, {}) > len(text) + MAX_ALIAS_EXPANSION:
            raise LimitExceeded(
                "front matter YAML aliases expand to more than "
                f"{MAX_ALIAS_EXPANSION:,} characters beyond the text", limit="yaml_aliases",
                path=path, line=first_line,
                hint="write the values out instead of repeating them with &anchors and *aliases")
        return loader.construct_document(node)
    finally:
        loader.dispose()


def load_yaml(text: str, *, path=None, first_line: int = 2) -> dict[str, Any]:
    """Parse front-matter YAML; errors name the file line (``first_line`` = its line 1)."""
    try:
        data = _load_bounded(text, path=path, first_line=first_line)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        last = text.count("\n") - 1
        if mark is None or mark.line > last:
            mark = getattr(exc, "context_mark", None) or mark
        line = first_line + min(mark.line, max(last, 0)) if mark is not None else None
        problem = getattr(exc, "problem", None) or str(exc)
        raise CodelistFormatError(
            f"front matter is not valid YAML: {problem}", path=path, line=line,
            hint="fix the YAML between the two '---' lines (quote values containing ': ')",
        ) from exc
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise CodelistFormatError(
            "front matter must be a YAML mapping of keys to values", path=path,
            line=first_line, hint="write one `key: value` per line between the '---' lines",
        )
    return data


def dump_yaml(data: dict[str, Any]) -> str:
    if not data:
        return ""
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True,
                     default_flow_style=False, width=80, indent=2)


_KEY_LINE = re.compile(r"^([^\s#'\"\-][^:]*|'[^']*'|\"[^\"]*\"):(?:\s|$)")


def _blocks(raw: str) -> list[tuple[str | None, str]]:
    """Split YAML text into top-level (key, text) blocks; leading comments have key None."""
    blocks: list[tuple[str | None, list[str]]] = [(None, [])]
    for line in raw.splitlines(keepends=True):
        match = _KEY_LINE.match(line)
        if match:
            blocks.append((match.group(1).strip("'\""), [line]))
        else:
            blocks[-1][1].append(line)
    return [(key, "".join(lines)) for key, lines in blocks]


def _ordered_insert(blocks: list, key: str, text: str, key_order: tuple[str, ...]) -> None:
    if key in key_order:
        rank = key_order.index(key)
        for i in range(len(blocks) - 1, -1, -1):
            other = blocks[i][0]
            if other in key_order and key_order.index(other) < rank:
                blocks.insert(i + 1, (key, text))
                return
        for i, (other, _) in enumerate(blocks):
            if other is not None:
                blocks.insert(i, (key, text))
                return
    blocks.append((key, text))


def render_front_matter(meta: dict[str, Any], raw: str | None, snapshot: Any,
                        key_order: tuple[str, ...] = ()) -> str:
    """The YAML text for ``meta``: ``raw`` when unchanged, else edited block by block."""
    if raw is not None and meta == snapshot:
        return raw
    if raw is None or not isinstance(snapshot, dict):
        return dump_yaml(meta)
    blocks = _blocks(raw)
    if not raw.endswith("\n") and blocks:
        key, text = blocks[-1]
        blocks[-1] = (key, text + "\n")
    present = [k for k, _ in blocks if k is not None]
    if sorted(present) != sorted(snapshot) or len(set(present)) != len(present):
        return dump_yaml(meta)
    out = []
    for key, text in blocks:
        if key is None:
            out.append((key, text))
        elif key not in meta:
            continue
        elif meta[key] == snapshot.get(key):
            out.append((key, text))
        else:
            out.append((key, dump_yaml({key: meta[key]})))
    for key in meta:
        if key not in snapshot:
            _ordered_insert(out, key, dump_yaml({key: meta[key]}), key_order)
    text = "".join(t for _, t in out)
    try:
        if load_yaml(text) == meta:
            return text
    except CodelistFormatError:
        pass
    return dump_yaml(meta)

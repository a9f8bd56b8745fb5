"""Frozen value classes without :mod:`dataclasses`, for modules on the start-up path.

``import dataclasses`` costs a fresh process about 10 ms of CPU (it imports ``inspect``,
which imports ``dis``, ``ast``, ``tokenize``, ``enum``, ``re``...), and every
``@dataclass`` builds its methods with ``exec``: more than the whole of
``codelists ecl expand`` may spend.  A :class:`Record` subclass declares its fields as
annotations, with defaults as class attributes, exactly like a frozen dataclass::

    class ConceptReference(Record):
        id: int
        term: str | None = None

and behaves like one: keyword or positional construction, ``==`` and ``hash`` over the
fields (of the same class), a ``Name(field=value, ...)`` repr, ``__match_args__``, and
assignment refused.  Defaults must be immutable (no ``default_factory``).
"""

from __future__ import annotations

_MISSING = object()


class Record:
    """Base of frozen value classes: see the module docstring."""

    __slots__ = ()
    #: the fields, in declaration order (base classes' first)
    _fields: tuple[str, ...] = ()
    _defaults: dict[str, object] = {}

    def __init_subclass__(cls, **kwargs) -> None:
        super().__init_subclass__(**kwargs)
        fields = list(cls._fields)
        defaults = dict(cls._defaults)
        for name, annotation in cls.__dict__.get("__annotations__", {}).items():
            if str(annotation).startswith(("ClassVar", "typing.ClassVar")):
                continue
            if name not in fields:
                fields.append(name)
            if name in cls.__dict__:
                defaults[name] = cls.__dict__[name]
        seen_default = False
        for name in fields:
            if name in defaults:
                seen_default = True
            elif seen_default:
                raise TypeError(f"{cls.__name__}: field {name!r} without a default "
                                "follows a field with one")
        cls._fields = tuple(fields)
        cls._defaults = defaults
        cls.__match_args__ = cls._fields

    def __init__(self, *args, **kwargs) -> None:
        fields = self._fields
        if len(args) > len(fields):
            raise TypeError(f"{type(self).__name__}() takes {len(fields)} arguments "
                            f"but {len(args)} were given")
        values = dict(zip(fields, args, strict=False))
        for name, value in kwargs.items():
            if name not in fields:
                raise TypeError(f"{type(self).__name__}() got an unexpected keyword "
                                f"argument {name!r}")
            if name in values:
                raise TypeError(f"{type(self).__name__}() got multiple values for "
                                f"argument {name!r}")
            values[name] = value
        state = self.__dict__
        for name in fields:
            value = values.get(name, _MISSING)
            if value is _MISSING:
                value = self._defaults.get(name, _MISSING)
                if value is _MISSING:
                    raise TypeError(f"{type(self).__name__}() missing required argument "
                                    f"{name!r}")
            state[name] = value

    def _values(self) -> tuple:
        state = self.__dict__
        return tuple(state[name] for name in self._fields)

    def __eq__(self, other: object) -> bool:
        if other.__class__ is self.__class__:
            return self._values() == other._values()
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self._values())

    def __repr__(self) -> str:
        inner = ", ".join(f"{name}={getattr(self, name)!r}" for name in self._fields)
        return f"{type(self).__qualname__}({inner})"

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"cannot assign to field {name!r} of a frozen "
                             f"{type(self).__name__}")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"cannot delete field {name!r} of a frozen "
                             f"{type(self).__name__}")

    def __reduce__(self):
        return (_rebuild, (type(self), self._values()))


def _rebuild(cls, values):
    return cls(*values)


def fields(record: Record) -> tuple[str, ...]:
    """The names of a record's fields, in order."""
    return record._fields

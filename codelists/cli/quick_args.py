"""The commonest command lines read without building the argparse parser.

Building ``codelist``'s parser imports argparse, ``re``, ``gettext``, ``locale`` and
``shutil`` (with ``bz2`` and ``lzma``): about a fifth of what ``codelist ecl expand EXPR
--db STORE`` costs a fresh process.  A command group may therefore declare, in ``QUICK``,
the plain forms of its commands (a positional argument, options taking a value, flags);
:func:`read` gives the arguments exactly as argparse would for such a command line, and
``None`` for anything else (``--help``, an abbreviated or unknown option, ``--``, a
repeated option, conflicting flags, an error...), which argparse then reads as always.
tests/functional/test_cli_quick_args.py checks the two agree.
"""

from __future__ import annotations

from types import SimpleNamespace


class Form:
    """One command's plain form: ``words`` (``("ecl", "expand")``) then one positional
    argument (``positional``, its dest), options taking a value (``--db`` -> dest) and
    flags (``--terms`` -> dest, False unless given); ``fixed`` are the values argparse
    sets for the words (the command dests); ``exclusive`` flag dests may not be combined."""

    def __init__(self, words: tuple[str, ...], fixed: dict, func, positional: str, *,
                 options: dict[str, str], flags: dict[str, str],
                 exclusive: tuple[str, ...] = ()) -> None:
        self.words = words
        self.fixed = fixed
        self.func = func
        self.positional = positional
        self.options = options
        self.flags = flags
        self.exclusive = exclusive


def read(argv: list[str], forms: list[Form]) -> SimpleNamespace | None:
    """The parsed arguments of ``argv`` when it is one of ``forms`` written plainly."""
    for form in forms:
        if tuple(argv[:len(form.words)]) == form.words:
            return _read(argv[len(form.words):], form)
    return None


def _read(words: list[str], form: Form) -> SimpleNamespace | None:
    values = dict(form.fixed, func=form.func)
    values.update(dict.fromkeys(form.flags.values(), False))
    values.update(dict.fromkeys(form.options.values()))
    given: set[str] = set()
    positional = None
    i = 0
    while i < len(words):
        word = words[i]
        name, equals, value = word.partition("=")
        if word in form.flags:
            values[form.flags[word]] = True
        elif name in form.options and (equals or i + 1 < len(words)):
            dest = form.options[name]
            if not equals:
                i += 1
                value = words[i]
                if value.startswith("-"):
                    return None
            if dest in given:
                return None
            given.add(dest)
            values[dest] = value
        elif word.startswith("-") and word != "-":
            return None
        elif positional is None:
            positional = word
        else:
            return None
        i += 1
    if positional is None or sum(values[dest] for dest in form.exclusive) > 1:
        return None
    values[form.positional] = positional
    return SimpleNamespace(**values)

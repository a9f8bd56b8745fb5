"""One exception hierarchy for the whole library.

Every error the library raises on purpose is a :class:`CodelistsError`.  ``UserError``
subclasses describe problems a user can fix (a bad file, a bad expression, a missing
store); the CLI shows them as one message without a traceback and maps each class to an
exit code in one place (:data:`EXIT_CODES`).
"""

from __future__ import annotations

from os import PathLike

from codelists.records import Record


class CodelistsError(Exception):
    """Root of every error the library raises on purpose."""

    exit_code = 3


class UserError(CodelistsError):
    """A problem the user can fix; shown without a traceback.

    ``path``, ``line`` and ``column`` locate the problem where there is one; ``hint``
    says what to do about it.
    """

    exit_code = 3

    def __init__(
        self,
        message: str,
        *,
        path: str | PathLike | None = None,
        line: int | None = None,
        column: int | None = None,
        hint: str | None = None,
    ) -> None:
        self.message = message
        self.path = str(path) if path is not None else None
        self.line = line
        self.column = column
        self.hint = hint
        super().__init__(self.render())

    def location(self) -> str:
        parts = []
        if self.path:
            parts.append(self.path)
        if self.line is not None:
            parts.append(str(self.line))
            if self.column is not None:
                parts.append(str(self.column))
        return ":".join(parts)

    def render(self) -> str:
        where = self.location()
        text = f"{where}: {self.message}" if where else self.message
        if self.hint:
            text += f"\n  fix: {self.hint}"
        return text


class UsageError(UserError):
    """The command line itself is wrong (a missing or conflicting option)."""

    exit_code = 2


class InputFileError(UserError):
    """A file the user gave cannot be read or is malformed."""

    exit_code = 4


class LimitExceeded(InputFileError):
    """An untrusted input is over a parsing budget (bytes, rows, cells, decompressed size,
    nesting depth, YAML aliases); ``limit`` names the budget (see codelists.formats.limits)."""

    def __init__(self, message: str, *, limit: str, **kwargs) -> None:
        self.limit = limit
        super().__init__(message, **kwargs)


class StoreNotFoundError(UserError):
    """No terminology store could be found for the request."""

    exit_code = 5


class StoreSchemaError(UserError):
    """A store was built by an incompatible schema version or is not a store at all."""

    exit_code = 5


class ImportFailedError(UserError):
    """A terminology release could not be imported; the previous store is untouched."""

    exit_code = 6


class UnknownCodeError(UserError):
    """A code is not in the terminology store."""

    exit_code = 7


class ECLError(UserError):
    """An ECL expression is malformed or refers to unknown concepts."""

    exit_code = 8


class ECLSyntaxError(ECLError):
    """The expression does not parse; carries line, column, offending text and expectation."""

    def __init__(
        self,
        message: str,
        *,
        line: int | None = None,
        column: int | None = None,
        text: str | None = None,
        expected: list[str] | None = None,
        hint: str | None = None,
    ) -> None:
        self.text = text
        self.expected = list(expected or [])
        super().__init__(message, line=line, column=column, hint=hint)


class NotSupportedError(CodelistsError):
    """A feature we cannot evaluate: fails loudly rather than return a wrong answer."""

    exit_code = 9


class RemoteError(UserError):
    """A codelist repository could not be reached or refused a request."""

    exit_code = 10


class CodelistFormatError(InputFileError):
    """A ``.codelist`` file is malformed."""


class ValidationFailed(CodelistsError):
    """Raised by commands that found problems (validate, lint, check); exit code 1."""

    exit_code = 1


class Problem(Record):
    """One finding of validate or lint: returned as data, never printed by the library."""

    rule: str
    severity: str  # "error" | "warning" | "info"
    message: str
    path: str | None = None
    line: int | None = None
    code: str | None = None
    hint: str | None = None

    def as_dict(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if v is not None}


def exit_code_for(error: BaseException) -> int:
    """The process exit code for an error (one mapping for the whole CLI)."""
    if isinstance(error, CodelistsError):
        return error.exit_code
    if isinstance(error, KeyboardInterrupt):
        return 130
    return 70  # internal error (EX_SOFTWARE)

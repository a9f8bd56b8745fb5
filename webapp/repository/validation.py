"""Rules for article fields that every writer applies (actions, forms, the API).

Single-line fields never hold control characters: the licence reaches HTTP headers
(``X-Licence``, ``Link``) and CSV cells of every download, and a title with a line break
would split a citation.  A CR/LF there was a header-injection attack.
"""

from __future__ import annotations

import re

from codelists.errors import UserError

#: article fields that are one line of text (authors and abstract may span lines)
SINGLE_LINE_FIELDS = ("title", "journal", "doi", "pmid", "link", "licence")
#: one line: no control characters (the API's schema states these patterns)
SINGLE_LINE_PATTERN = r"^[^\x00-\x1f\x7f\x85\u2028\u2029]*$"
#: a licence is an SPDX-like name: letters, digits and a little punctuation
LICENCE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9 .+_()/:,'-]{0,99}$"
_CONTROL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029\x85]")
_LICENCE = re.compile(LICENCE_PATTERN)


def single_line_problem(field: str, value) -> str | None:
    """Why ``value`` cannot be stored in ``field``, or None when it can."""
    if not isinstance(value, str) or field not in SINGLE_LINE_FIELDS:
        return None
    if _CONTROL.search(value):
        return f"{field} must be one line of text without control characters"
    if field == "licence" and value and not _LICENCE.match(value):
        return ("a licence is a name such as CC-BY-4.0 or OGL-UK-3.0 (letters, digits, "
                "spaces and . + _ ( ) / : , ' -)")
    return None


def check_article_fields(fields: dict) -> None:
    """Raise UserError for the first field that breaks a rule."""
    for field, value in fields.items():
        problem = single_line_problem(field, value)
        if problem:
            raise UserError(problem, hint=f"correct the {field} and try again")

"""The .codelist file as the method commands load and save it (shared by their modules).

Saving bumps ``version`` only when the code lines changed since the file was loaded.
"""

from __future__ import annotations


def file_argument(parser) -> None:
    parser.add_argument("file", metavar="FILE", help="the .codelist file")


#: the code lines of each codelist as loaded, so saving bumps ``version`` only when they
#: changed (method metadata alone leaves it)
LOADED: dict[int, frozenset] = {}


def load(path):
    from codelists.codelist.fileformat import load as read

    codelist = read(path)
    LOADED[id(codelist)] = codelist.code_state()
    return codelist


def save(codelist) -> None:
    from codelists.codelist.fileformat import save as write

    codelist.touch(since=LOADED.pop(id(codelist), None))
    write(codelist)

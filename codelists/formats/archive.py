"""Zip archives of codelists: every member that is a codelist is imported (each becomes
its own codelist); members that are not (README files, manifests, folders) are listed
in the notes.  A member that fails to import fails the archive, naming the member.

Archives are read member by member into a temporary folder, never extracted beside the
user's files; names are used only as labels (no path from the archive is written to).
"""

from __future__ import annotations

import tempfile
import zipfile
from pathlib import Path, PurePosixPath

from codelists.errors import InputFileError, UserError

_SKIP = {".md", ".txt.md", ".pdf", ".docx", ".doc", ".html", ".png", ".jpg", ".r", ".do",
         ".py", ".sql", ".yaml", ".yml", ".rds"}
_NOT_CODELISTS = ("readme", "licence", "license", "codelists.json", "codelists.txt")


def members(path) -> list[str]:
    try:
        with zipfile.ZipFile(path) as archive:
            return [i.filename for i in archive.infolist() if not i.is_dir()]
    except zipfile.BadZipFile:
        raise InputFileError("not a readable zip archive", path=path,
                             hint="check the download completed") from None


def _candidate(name: str) -> bool:
    pure = PurePosixPath(name)
    lowered = pure.name.lower()
    return not (pure.name.startswith(".") or "__MACOSX" in pure.parts
                or pure.suffix.lower() in _SKIP or lowered.startswith(_NOT_CODELISTS))


def read(path: str | Path, *, system: str | None = None, **options) -> list:
    """Every codelist in the archive (see the module docstring)."""
    from codelists.formats import import_all

    names = members(path)
    wanted = [n for n in names if _candidate(n)]
    if not wanted:
        raise InputFileError(f"the archive holds no codelist files ({', '.join(names[:10])})",
                             path=path, hint="check it is the right archive")
    found = []
    with zipfile.ZipFile(path) as archive, tempfile.TemporaryDirectory() as folder:
        for i, name in enumerate(wanted):
            target = Path(folder) / str(i) / PurePosixPath(name).name
            target.parent.mkdir()
            target.write_bytes(archive.read(name))
            try:
                items = import_all(target, system=system, **options)
            except UserError as exc:
                raise InputFileError(f"member {name}: {exc.message}", path=path,
                                     line=exc.line, hint=exc.hint) from None
            stem = PurePosixPath(name).stem
            for item in items:
                item.source = f"{path}!{name}"
                inner = item.meta.get("member")
                item.meta["member"] = f"{stem}-{inner}" if inner else stem
                found.append(item)
    skipped = [n for n in names if n not in wanted]
    if skipped and found:
        found[0].notes.append(f"archive members not imported (not codelists): "
                              f"{', '.join(skipped[:20])}")
    return found

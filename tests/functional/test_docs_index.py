"""Every documentation page is reachable from docs/index.md, and its links resolve."""

import re
from pathlib import Path

DOCS = Path(__file__).resolve().parents[2] / "docs"


def test_every_page_is_linked_from_the_index():
    index = (DOCS / "index.md").read_text(encoding="utf-8")
    linked = set(re.findall(r"\]\(([^)#]+\.md)\)", index))
    pages = {str(p.relative_to(DOCS)) for p in DOCS.rglob("*.md") if p.name != "index.md"}
    assert pages - linked == set(), "add these pages to docs/index.md"


def test_relative_links_in_docs_resolve():
    broken = []
    for page in DOCS.rglob("*.md"):
        for target in re.findall(r"\]\(([\w./-]+)(?:#[\w-]*)?\)", page.read_text("utf-8")):
            if not (page.parent / target).exists():
                broken.append(f"{page.relative_to(DOCS)} -> {target}")
    assert broken == []

"""Demo content: real published codelists, imported with the library and deposited with
the repository's own actions (``python -m webapp.manage load_demo``).

Sources (all MIT-licensed, read from ``$CODELISTS_SHARED/data/codelists``):

* opensafely/risk-factors-research: the codelists of Williamson et al. 2020;
* opensafely/post-covid-vaccinated: 161 OpenCodelists downloads;
* spiros/chronological-map-phenotypes: CALIBER phenotypes of Kuan et al. 2019 (Read v2
  and ICD-10), as a collection.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.contrib.auth.models import User

from codelists.errors import CodelistsError
from webapp.accounts import actions as account_actions
from webapp.repository import actions, library
from webapp.repository.models import Article


@dataclass(frozen=True)
class DemoSource:
    folder: str
    pattern: str
    article: dict
    tags: tuple[str, ...] = ()


SOURCES = [
    DemoSource(
        "opensafely-risk-factors-research/codelists", "*.csv",
        {"title": "Factors associated with COVID-19-related death using OpenSAFELY",
         "authors": "Elizabeth J. Williamson\nAlex J. Walker\nKrishnan Bhaskaran\n"
                    "Ben Goldacre\nand the OpenSAFELY collaborative",
         "journal": "Nature", "year": 2020, "doi": "10.1038/s41586-020-2521-4",
         "article_type": "journal-article",
         "link": "https://github.com/opensafely/risk-factors-research", "licence": "MIT"},
        ("covid-19", "risk factors")),
    DemoSource(
        "opensafely-post-covid-vaccinated/codelists", "*.csv",
        {"title": "Impact of vaccination on the association of COVID-19 with arterial and "
                  "venous thrombotic diseases: an OpenSAFELY cohort study using linked "
                  "electronic health records",
         "article_type": "other", "licence": "MIT",
         "link": "https://github.com/opensafely/post-covid-vaccinated",
         "abstract": "The codelists behind the OpenSAFELY post-COVID vaccinated cohort study "
                     "(cardiovascular outcomes after COVID-19), as downloaded from "
                     "OpenCodelists."},
        ("covid-19", "cardiovascular")),
    DemoSource(
        "caliber-chronological-map", "*_care/*.csv",
        {"title": "A chronological map of 308 physical and mental health conditions from "
                  "4 million individuals in the English National Health Service",
         "authors": "Valerie Kuan\nSpiros Denaxas\nArturo Gonzalez-Izquierdo\n"
                    "Harry Hemingway", "journal": "The Lancet Digital Health", "year": 2019,
         "doi": "10.1016/S2589-7500(19)30012-3", "article_type": "journal-article",
         "link": "https://github.com/spiros/chronological-map-phenotypes", "licence": "MIT",
         "is_collection": False},
        ("caliber", "phenotype")),
]


@dataclass
class DemoReport:
    articles: int = 0
    codelists: int = 0
    skipped: list[str] = field(default_factory=list)


def shared_codelists() -> Path:
    root = Path(os.environ.get("CODELISTS_SHARED", Path(__file__).resolve().parents[3] /
                               "shared"))
    return root / "data" / "codelists"


def demo_user(username: str = "demo") -> User:
    user = User.objects.filter(username=username).first()
    if user is None:
        user = account_actions.sign_up(username=username, email=f"{username}@example.org",
                                       password=None, display_name="Demo depositor")
    return user


def codelist_text(path: Path, licence: str) -> str:
    """A real file imported by the library (format detected), as ``.codelist`` text."""
    text = path.read_text(encoding="utf-8-sig", errors="replace")
    parsed, _notes = library.import_table(text, path.name, licence=licence)
    return library.dumps(parsed)


def load(root: Path | None = None, *, limit: int | None = None,
         progress: Callable[[str], None] = lambda message: None) -> DemoReport:
    """Deposit every demo source not yet present (by title); returns what was done."""
    root = root or shared_codelists()
    user = demo_user()
    report = DemoReport()
    for source in SOURCES:
        if Article.objects.filter(title=source.article["title"]).exists():
            progress(f"already loaded: {source.article['title'][:60]}")
            continue
        files = sorted((root / source.folder).glob(source.pattern))[:limit]
        items = []
        for path in files:
            try:
                items.append(actions.NewCodelist(codelist_text(path, source.article["licence"]),
                                                 filename=path.name))
            except CodelistsError as exc:
                report.skipped.append(f"{path.name}: {exc}")
        article = actions.create_article(user, tags=source.tags, **source.article)
        actions.deposit(user, article, items)
        report.articles += 1
        report.codelists += len(items)
        progress(f"{len(items)} codelists: {article.title[:60]}")
    return report

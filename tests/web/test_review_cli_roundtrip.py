"""The browser review and the command line agree: sheets exported by `codelist review
export` can be returned through the web, sheets exported by the web can be imported by
`codelist review import`, and the consensus is the same on the same ratings."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from django.urls import reverse

from codelists.cli.main import main
from codelists.codelist.fileformat import load, parse
from tests.plugins.method import fill_csv_sheet, fill_excel_sheet
from tests.plugins.web import client_for
from tests.web.review_helpers import (
    COMMENTS,
    RATINGS,
    make_reviewers,
    rate_all,
    review_codelist_text,
)
from webapp.repository import actions as repository_actions
from webapp.review import actions

pytestmark = pytest.mark.django_db
LABELS = ["R1", "R2", "R3"]


def outcome(codelist) -> tuple[list, dict]:
    """What the consensus decides: each code line's kind and tags, and method.delphi."""
    lines = [(ln.kind, ln.code, dict(ln.tags)) for ln in codelist.code_lines()]
    return lines, codelist.method["delphi"]


def cli(*argv) -> None:
    assert main([str(a) for a in argv]) == 0


def cli_export(tmp_path: Path, fmt: str) -> tuple[Path, list[Path]]:
    path = tmp_path / "asthma-review.codelist"
    path.write_text(review_codelist_text(), encoding="utf-8")
    out = tmp_path / "sheets"
    cli("review", "export", path, "--reviewers", *LABELS, "--format", fmt, "--out", out)
    return path, sorted(out.glob(f"*.{fmt}"))


def deposit(user, text: str):
    article = repository_actions.create_article(user, title="Asthma codes, reviewed")
    return repository_actions.add_codelist(user, article, repository_actions.NewCodelist(text))


def panel(reviewers):
    return [actions.Invitee(user=u, label=label) for u, label in zip(reviewers, LABELS,
                                                                       strict=True)]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_cli_sheets_returned_through_the_web_give_the_cli_consensus(
        web_users, client, tmp_path, fmt):
    path, sheets = cli_export(tmp_path, fmt)
    chair = web_users["depositor"]
    codelist = deposit(chair, path.read_text(encoding="utf-8"))  # round 1 is open in it
    review = actions.start_review(chair, codelist.latest_version,
                                  panel=panel(make_reviewers()))
    round_ = review.current_round()
    assert round_.key == parse(path.read_text()).method["delphi"]["rounds"][0]["key"]
    fill = fill_csv_sheet if fmt == "csv" else fill_excel_sheet
    for sheet in sheets:
        label = sheet.stem.rsplit("-", 1)[1]
        fill(sheet, RATINGS[label], COMMENTS.get(label))
    c = client_for(client, chair)
    from django.core.files.uploadedfile import SimpleUploadedFile

    files = [SimpleUploadedFile(s.name, s.read_bytes()) for s in sheets]
    response = c.post(reverse("review:upload", args=[review.pk, 1]), {"sheets": files},
                      follow=True)
    assert "Imported the sheets of R1, R2, R3" in response.content.decode()
    version = actions.close_round(chair, round_)
    cli("review", "import", path, *sheets)
    cli("review", "consensus", path)
    assert outcome(parse(version.text)) == outcome(load(path))


def test_ratings_typed_in_the_web_export_as_cli_sheets_with_the_same_consensus(
        web_users, client, tmp_path):
    chair = web_users["depositor"]
    codelist = deposit(chair, review_codelist_text())
    reviewers = make_reviewers()
    review = actions.start_review(chair, codelist.latest_version, panel=panel(reviewers))
    round_ = review.current_round()
    rate_all(round_, reviewers)
    version = actions.close_round(chair, round_)
    response = client_for(client, chair).get(reverse("review:export",
                                                     args=[review.pk, 1, "xlsx"]))
    folder = tmp_path / "from-web"
    zipfile.ZipFile(io.BytesIO(response.content)).extractall(folder)
    path, _ = cli_export(tmp_path, "xlsx")
    cli("review", "import", path, *sorted(folder.glob("*.xlsx")))
    cli("review", "consensus", path)
    assert outcome(parse(version.text)) == outcome(load(path))


def test_a_bad_sheet_imports_nothing(web_users, client, tmp_path):
    path, sheets = cli_export(tmp_path, "csv")
    chair = web_users["depositor"]
    codelist = deposit(chair, path.read_text(encoding="utf-8"))
    review = actions.start_review(chair, codelist.latest_version,
                                  panel=panel(make_reviewers()))
    ratings = dict(RATINGS["R2"], **{"41553006": 7})
    del ratings["57607007"]
    fill_csv_sheet(sheets[0], RATINGS["R1"])
    fill_csv_sheet(sheets[1], ratings)
    from django.core.files.uploadedfile import SimpleUploadedFile

    files = [SimpleUploadedFile(s.name, s.read_bytes()) for s in sheets[:2]]
    page = client_for(client, chair).post(reverse("review:upload", args=[review.pk, 1]),
                                          {"sheets": files}, follow=True).content.decode()
    assert "nothing was imported" in page
    assert "57607007 has no rating" in page and "rating &#x27;7&#x27; is not 1, 2 or 3" in page
    assert not review.current_round().ratings.exists()

"""Rating sheets as downloads: the CLI's xlsx/csv sheets, written by the method library.

The chair downloads every reviewer's sheet as one zip: blank while the round is open (the
chair never sees ratings before the round closes), filled in once it is closed.  A
reviewer downloads their own sheet, with the ratings they have saved so far, to work
offline and return it to the chair.
"""

from __future__ import annotations

import io
import zipfile

from django.http import HttpResponse

from webapp.review import actions, method
from webapp.review.models import PanelMember, Review, Round

CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}


def _sheets(review: Review, round_: Round):
    rnd = actions.library_round(round_)
    blank = method.blank_sheets(round_.source_version.text, rnd,
                                title=review.codelist.title, instructions=review.instructions)
    return rnd, blank


def panel_files(review: Review, round_: Round, fmt: str) -> list[tuple[str, bytes]]:
    rnd, made = _sheets(review, round_)
    if round_.is_closed:
        for sheet in made:
            method.fill(sheet, rnd.ratings.get(sheet.reviewer, {}),
                        rnd.comments.get(sheet.reviewer, {}))
    return method.write(made, fmt)


def panel_download(review: Review, round_: Round, fmt: str) -> HttpResponse:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in panel_files(review, round_, fmt):
            archive.writestr(name, data)
    state = "rated" if round_.is_closed else "blank"
    response = HttpResponse(buffer.getvalue(), content_type="application/zip")
    response["Content-Disposition"] = (
        f'attachment; filename="review-{review.pk}-round{round_.number}-{state}-{fmt}.zip"')
    return response


def own_file(review: Review, round_: Round, member: PanelMember, fmt: str) -> tuple[str, bytes]:
    rnd, made = _sheets(review, round_)
    mine = next(s for s in made if s.reviewer == member.label)
    method.fill(mine, rnd.ratings.get(member.label, {}), rnd.comments.get(member.label, {}))
    return method.write([mine], fmt)[0]


def own_download(review: Review, round_: Round, member: PanelMember, fmt: str) -> HttpResponse:
    name, data = own_file(review, round_, member, fmt)
    response = HttpResponse(data, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response

"""Delphi review actions: start, rate, close (consensus by the library), further rounds."""

from __future__ import annotations

import pytest

from codelists.codelist.fileformat import parse
from codelists.method.delphi import consensus, sheet_key
from tests.web.review_helpers import (
    CODES,
    RATINGS,
    make_review_article,
    make_reviewers,
    rate_all,
    start,
)
from webapp.review import actions
from webapp.review.models import Rating

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(web_users):
    codelist = make_review_article(web_users["depositor"])
    reviewers = make_reviewers()
    review = start(web_users["depositor"], codelist, reviewers)
    return codelist, reviewers, review


def test_start_opens_round_one_on_the_pending_codes(setup):
    codelist, reviewers, review = setup
    round_ = review.current_round()
    assert round_.number == 1
    assert round_.codes == CODES
    assert round_.reviewers == ["R1", "R2", "R3"]
    assert round_.key == sheet_key("asthma-review", 1, CODES)
    assert round_.items["41553006"]["term"] == "Occupational asthma"


def test_ratings_are_saved_as_they_go_and_can_change_while_open(setup):
    _, reviewers, review = setup
    round_ = review.current_round()
    actions.rate(reviewers[0], round_, "195967001", rating=2)
    actions.rate(reviewers[0], round_, "195967001", rating=1)
    actions.rate(reviewers[0], round_, "195967001", comment="clear")
    saved = Rating.objects.get(round=round_, code="195967001")
    assert (saved.rating, saved.comment) == (1, "clear")
    assert [p["rated"] for p in actions.progress(round_)] == [1, 0, 0]


def test_close_publishes_the_library_consensus_as_a_new_version(setup):
    codelist, reviewers, review = setup
    round_ = review.current_round()
    rate_all(round_, reviewers)
    version = actions.close_round(review.chair, round_)
    codelist.refresh_from_db()
    assert codelist.latest_version == version and version.number == 2
    cl = parse(version.text)
    by_code = {code: {label: RATINGS[label][code] for label in RATINGS} for code in CODES}
    expected = consensus(by_code)
    for code, decision in expected.items():
        line = cl.line_for(code)
        if decision.keep:
            assert line.kind == "active"
            assert line.tags["uncertainty"] == str(decision.uncertainty)
        else:
            assert line.kind == "excluded" and line.tags["reason"] == "delphi"
    delphi = cl.method["delphi"]
    assert delphi["rule"] == "watson2017"
    assert delphi["results"]["included"] == 4 and delphi["results"]["excluded"] == 2
    assert delphi["rounds"][0]["ratings"]["R2"]["41553006"] == 3
    assert delphi["rounds"][0]["comments"]["R2"]["41553006"].startswith("work-related")


def test_close_refuses_an_incomplete_round(setup):
    _, reviewers, review = setup
    round_ = review.current_round()
    actions.rate(reviewers[0], round_, "195967001", rating=1)
    with pytest.raises(actions.UserError, match="R1 \\(1 of 6\\)"):
        actions.close_round(review.chair, round_)


def test_ratings_are_immutable_after_closing(setup):
    _, reviewers, review = setup
    round_ = review.current_round()
    rate_all(round_, reviewers)
    actions.close_round(review.chair, round_)
    with pytest.raises(actions.RoundClosed):
        actions.rate(reviewers[0], round_, "195967001", rating=3)
    with pytest.raises(actions.RoundClosed):
        actions.close_round(review.chair, round_)


def test_further_round_on_disputed_codes_and_consensus_of_the_latest(setup):
    codelist, reviewers, review = setup
    first = review.current_round()
    rate_all(first, reviewers)
    actions.close_round(review.chair, first)
    second = actions.start_next_round(review.chair, review)
    assert second.number == 2
    assert second.codes == ["233678006", "41553006", "266361008"]
    assert "rated 1 by 2, 2 by 1" in second.items["233678006"]["feedback"]
    again = {label: {c: 1 for c in second.codes} for label in RATINGS}
    rate_all(second, reviewers, ratings=again, comments={})
    version = actions.close_round(review.chair, second)
    cl = parse(version.text)
    assert cl.line_for("266361008").kind == "active"
    assert cl.line_for("266361008").tags["uncertainty"] == "0"
    assert cl.line_for("57607007").tags["reason"] == "delphi"
    assert len(cl.method["delphi"]["rounds"]) == 2


def test_no_further_round_without_disputed_codes(setup):
    _, reviewers, review = setup
    first = review.current_round()
    ones = {label: {c: 1 for c in CODES} for label in RATINGS}
    rate_all(first, reviewers, ratings=ones, comments={})
    actions.close_round(review.chair, first)
    with pytest.raises(actions.UserError, match="no disputed codes"):
        actions.start_next_round(review.chair, review)


def test_invitations_are_mailed_with_a_token_link_and_accepted(web_users, mailoutbox,
                                                               django_capture_on_commit_callbacks):
    codelist = make_review_article(web_users["depositor"])
    invitee = actions.Invitee(email="new.reviewer@example.org", label="GP1")
    known = actions.Invitee(user=web_users["other"], label="GP2")
    with django_capture_on_commit_callbacks(execute=True):
        review = actions.start_review(web_users["depositor"], codelist.latest_version,
                                      panel=[invitee, known],
                                      link=lambda token: f"http://testserver/join/{token}/")
    member = review.panel.get(label="GP1")
    assert member.user is None
    sent = [m for m in mailoutbox if "new.reviewer@example.org" in m.to]
    assert len(sent) == 1 and member.token in sent[0].body
    newcomer = make_reviewers(["newcomer"])[0]
    actions.accept_invitation(newcomer, member.token)
    member.refresh_from_db()
    assert member.user == newcomer
    actions.rate(newcomer, review.current_round(), "195967001", rating=1)
    with pytest.raises(actions.PermissionDenied):
        actions.accept_invitation(web_users["coauthor"] if "coauthor" in web_users else None,
                                  member.token)


def test_rule_and_panel_are_checked(web_users):
    codelist = make_review_article(web_users["depositor"])
    reviewers = make_reviewers()
    with pytest.raises(actions.UserError, match="unknown consensus rule"):
        start(web_users["depositor"], codelist, reviewers, rule="anything")
    panel = [actions.Invitee(user=reviewers[0], label="A"), actions.Invitee(user=reviewers[1],
                                                                             label="A")]
    with pytest.raises(actions.UserError, match="same label"):
        actions.start_review(web_users["depositor"], codelist.latest_version, panel=panel)


def test_the_published_version_carries_the_review_for_report_and_badge(setup, client):
    from django.urls import reverse

    from codelists.method import badge, report

    codelist, reviewers, review = setup
    rate_all(review.current_round(), reviewers)
    version = actions.close_round(review.chair, review.current_round())
    cl = parse(version.text)
    checks = badge.assess(cl).checks
    assert checks["independent_reviewers"] and checks["uncertainty"]
    text = report.markdown(report.document(cl))
    assert "Delphi" in text and "watson2017" in text
    page = client.get(reverse("repository:codelist", args=[codelist.pk])).content.decode()
    assert "version 2 of 2" in page and "delphi" in page


def test_a_withdrawn_reviewer_no_longer_counts(setup):
    _, reviewers, review = setup
    round_ = review.current_round()
    member = review.panel.get(label="R3")
    actions.rate(reviewers[2], round_, CODES[0], rating=3)
    round_ = actions.withdraw(review.chair, round_, member)
    with pytest.raises(actions.PermissionDenied):
        actions.rate(reviewers[2], round_, CODES[1], rating=3)
    rate_all(round_, reviewers[:2])
    version = actions.close_round(review.chair, round_)
    delphi = parse(version.text).method["delphi"]
    assert delphi["rounds"][0]["reviewers"] == ["R1", "R2"]
    assert set(delphi["rounds"][0]["ratings"]) == {"R1", "R2"}
    assert delphi["results"]["reviewers"] == 2


def test_a_review_starts_from_the_latest_version(web_users):
    from tests.web.review_helpers import review_codelist_text
    from webapp.repository import actions as repository_actions

    codelist = make_review_article(web_users["depositor"])
    first = codelist.latest_version
    repository_actions.add_version(web_users["depositor"], codelist,
                                   review_codelist_text().replace("Allergic", "Atopic"))
    with pytest.raises(actions.UserError, match="not the codelist's latest version"):
        actions.start_review(web_users["depositor"], first,
                             panel=[actions.Invitee(user=web_users["other"])])


def test_a_reviewer_added_to_an_open_round_counts(setup, mailoutbox,
                                                 django_capture_on_commit_callbacks):
    _, reviewers, review = setup
    round_ = review.current_round()
    key = round_.key
    replacement = make_reviewers(["rev4"])[0]
    member = actions.add_reviewer(review.chair, round_, actions.Invitee(user=replacement))
    assert member.label == "R4" and member.joined is not None
    round_.refresh_from_db()
    assert round_.reviewers == ["R1", "R2", "R3", "R4"] and round_.key == key
    rate_all(round_, reviewers)
    with pytest.raises(actions.UserError):  # R4 has not rated yet
        actions.close_round(review.chair, round_)
    for code in round_.codes:
        actions.rate(replacement, round_, code, rating=1)
    version = actions.close_round(review.chair, round_)
    delphi = parse(version.text).method["delphi"]
    assert delphi["rounds"][0]["reviewers"] == ["R1", "R2", "R3", "R4"]
    assert delphi["results"]["reviewers"] == 4
    # 57607007 was rated 3 by all three: R4's 1 now keeps it (any reviewer's 1 keeps a code)
    assert parse(version.text).line_for("57607007").kind == "active"


def test_adding_reviewers_checks_the_panel(setup, mailoutbox,
                                           django_capture_on_commit_callbacks, web_users):
    _, reviewers, review = setup
    round_ = review.current_round()
    with pytest.raises(actions.UserError, match="already on round 1"):
        actions.add_reviewer(review.chair, round_, actions.Invitee(user=reviewers[0]))
    with pytest.raises(actions.UserError, match="already has a reviewer R2"):
        actions.add_reviewer(review.chair, round_,
                             actions.Invitee(user=web_users["other"], label="R2"))
    with pytest.raises(actions.PermissionDenied):
        actions.add_reviewer(reviewers[0], round_, actions.Invitee(user=web_users["other"]))
    # an e-mail invitation is mailed like the first panel's
    with django_capture_on_commit_callbacks(execute=True):
        invited = actions.add_reviewer(review.chair, round_,
                                       actions.Invitee(email="gp@example.org", label="GP9"),
                                       link=lambda token: f"http://testserver/join/{token}/")
    assert invited.user is None and invited.label == "GP9"
    assert [m.to for m in mailoutbox] == [["gp@example.org"]]
    assert invited.token in mailoutbox[0].body
    # a withdrawn reviewer can be put back, under the same label
    r3 = review.panel.get(label="R3")
    actions.withdraw(review.chair, round_, r3)
    back = actions.add_reviewer(review.chair, round_, actions.Invitee(user=reviewers[2]))
    assert back.pk == r3.pk
    round_.refresh_from_db()
    assert round_.reviewers == ["R1", "R2", "GP9", "R3"]
    # not on a closed round
    actions.withdraw(review.chair, round_, invited)
    rate_all(round_, reviewers)
    actions.close_round(review.chair, round_)
    with pytest.raises(actions.RoundClosed):
        actions.add_reviewer(review.chair, round_, actions.Invitee(user=web_users["other"]))

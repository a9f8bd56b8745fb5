"""Helpers for the Delphi review tests (web and browser): a codelist with pending
candidates and a method block, its article, a panel of three reviewers, ratings."""

from __future__ import annotations

from tests.plugins.web import PASSWORD, make_codelist_text

PENDING = [
    ("195967001", "Asthma"),
    ("233678006", "Childhood asthma"),
    ("41553006", "Occupational asthma"),
    ("57607007", "Irritant-induced asthma"),
    ("266361008", "Intrinsic asthma"),
    ("389145006", "Allergic asthma"),
]
CODES = [code for code, _ in PENDING]
DEFINITION = {
    "feature": "Asthma",
    "description": "A diagnosis of asthma recorded in primary care.",
    "inclusion": ["any type of asthma"],
    "exclusion": ["asthma resolved"],
    "driven": "sensitivity",
    "sources": [{"name": "NICE CKS - Asthma"}],
}
SEARCH = {"systems": ["snomedct"], "rules": [{"id": 1, "stata": 'regexm(desc, "[Aa]sthma")'}]}
REVIEWERS = ("rev1", "rev2", "rev3")
#: label -> code -> rating: 195967001 all 1s (kept, u=0); 233678006 one 2 (kept, u=1);
#: 41553006 one 3 (kept, u=2); 57607007 all 3s (dropped); 266361008 2s and 3 (dropped);
#: 389145006 all 1s.
RATINGS = {
    "R1": {"195967001": 1, "233678006": 1, "41553006": 1, "57607007": 3, "266361008": 2,
           "389145006": 1},
    "R2": {"195967001": 1, "233678006": 2, "41553006": 3, "57607007": 3, "266361008": 3,
           "389145006": 1},
    "R3": {"195967001": 1, "233678006": 1, "41553006": 1, "57607007": 3, "266361008": 2,
           "389145006": 1},
}
COMMENTS = {"R2": {"41553006": "work-related, not asthma as such"}}


def review_codelist_text(**extra) -> str:
    return make_codelist_text(id="asthma-review", title="Asthma (review)", pending=PENDING,
                              method={"definition": DEFINITION, "search": SEARCH}, **extra)


def make_review_article(depositor):
    """An article by ``depositor`` with one codelist whose version 1 has pending codes."""
    from webapp.repository import actions

    article = actions.create_article(depositor, title="Asthma codes, reviewed",
                                     year=2026, tags=["respiratory"])
    return actions.add_codelist(depositor, article,
                                actions.NewCodelist(review_codelist_text()))


def make_reviewers(names=REVIEWERS):
    from webapp.accounts import actions

    return [actions.sign_up(username=n, email=f"{n}@example.org", password=PASSWORD)
            for n in names]


def start(chair, codelist, reviewers, *, rule="watson2017", codes=None, link=None):
    from webapp.review import actions

    panel = [actions.Invitee(user=u, label=f"R{i}") for i, u in enumerate(reviewers, 1)]
    return actions.start_review(chair, codelist.latest_version, panel=panel, rule=rule,
                                instructions="Rate on your own.", codes=codes, link=link)


def rate_all(round_, reviewers, ratings=RATINGS, comments=COMMENTS):
    from webapp.review import actions

    for i, user in enumerate(reviewers, 1):
        label = f"R{i}"
        for code in round_.codes:
            actions.rate(user, round_, code, rating=ratings[label][code],
                         comment=comments.get(label, {}).get(code, ""))

"""OpenCodelists-compatible endpoints: URLs, downloads, the owner API's JSON, the check
endpoint's three answers, and creating codelists and versions in their request shape."""

from __future__ import annotations

import csv
import io
import json

import pytest

from webapp.accounts import actions as account_actions

pytestmark = pytest.mark.django_db


@pytest.fixture
def owned(web_article):
    from webapp.compat import actions

    actions.set_owner(web_article.created_by, web_article, "asthma-group")
    return web_article


def _rows(response):
    return list(csv.reader(io.StringIO(response.content.decode())))


def test_download_csv_is_code_term_sorted_with_exact_content_type(client, owned):
    response = client.get("/codelist/asthma-group/asthma/v2/download.csv")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv"
    assert response.content.startswith(b"code,term\r\n")
    assert _rows(response) == [["code", "term"], ["195967001", "Asthma"],
                               ["233678006", "Childhood asthma"],
                               ["266361008", "Intrinsic asthma"]]
    by_number = client.get(f"/codelist/article-{owned.pk}/asthma/v1/download.csv")
    assert [r[0] for r in _rows(by_number)] == ["code", "195967001", "233678006"]
    latest = client.get("/codelist/asthma-group/asthma/latest/download.csv")
    assert latest.content == response.content
    assert client.get("/codelist/asthma-group/asthma/v9/download.csv").status_code == 404
    assert client.get("/codelist/nobody/asthma/v1/download.csv").status_code == 404


def test_user_paths_and_definition(client, owned):
    username = owned.created_by.username
    response = client.get(f"/codelist/user/{username}/asthma/v2/definition.csv")
    assert _rows(response) == [["code", "term", "is_included"],
                               ["195967001", "Asthma", "+"],
                               ["233678006", "Childhood asthma", "+"],
                               ["266361008", "Intrinsic asthma", "+"],
                               ["41553006", "Occupational asthma", "-"]]
    assert client.get("/codelist/user/nobody/asthma/v2/download.csv").status_code == 404
    page = client.get(f"/codelist/user/{username}/asthma/v2/")
    assert page.status_code == 302 and page["Location"].endswith("?version=2")
    dmd = client.get("/codelist/asthma-group/asthma/v2/dmd-download.csv")
    assert dmd.status_code == 404


def test_uploaded_csv_served_as_uploaded_and_with_fixed_headers(api_client, owned):
    from webapp.compat import actions

    csv_data = "CTV3ID,CTV3PreferredTermDesc,CTV3Source\r\nXaLTE,Asthma thing,Y\r\n" \
               "H33..,Asthma,Z\r\n"
    actions.create_codelist(owned.created_by, owned, {
        "name": "Old style", "slug": "old-style", "tag": "2020-04-27",
        "coding_system_id": "ctv3", "csv_data": csv_data})
    response = api_client.get("/codelist/asthma-group/old-style/2020-04-27/download.csv")
    assert response.content.decode() == csv_data
    fixed = api_client.get(
        "/codelist/asthma-group/old-style/2020-04-27/download.csv?fixed-headers")
    assert _rows(fixed) == [["code", "term"], ["XaLTE", "Asthma thing"], ["H33..", "Asthma"]]


def test_owner_api_json_shape_and_opt_ins(api_client, owned):
    data = api_client.get("/api/v1/codelist/asthma-group/").json()
    [record] = data["codelists"]
    assert set(record) == {"full_slug", "slug", "name", "coding_system_id", "organisation",
                           "user", "versions"}
    assert record["full_slug"] == "asthma-group/asthma"
    assert [v["tag"] for v in record["versions"]] == ["v1", "v2"]
    assert record["versions"][1]["full_slug"] == "asthma-group/asthma/v2"
    assert record["versions"][0]["status"] == "published"
    full = api_client.get(
        "/api/v1/codelist/asthma-group/?description&methodology&references").json()
    [record] = full["codelists"]
    assert {"description", "methodology", "references"} <= set(record)
    assert record["references"] == [{"text": "Asthma in primary care",
                                     "url": "https://doi.org/10.1136/bmjopen-2024-000001"}]
    assert api_client.get("/api/v1/codelist/?coding_system_id=icd10").json() == \
        {"codelists": []}
    assert api_client.get("/api/v1/codelist/nobody/").status_code == 404


def _manifest(client, line):
    body = client.get(f"/codelist/{line}/download.csv").content
    from codelists.formats.study import content_sha

    return json.dumps({"files": {"x.csv": {"id": line, "sha": content_sha(body)}}})


def test_check_answers_in_its_three_shapes(client, owned):
    line = "asthma-group/asthma/v2"
    ok = client.post("/api/v1/check/", {"codelists": line + "\n",
                                        "manifest": _manifest(client, line)})
    assert ok.json() == {"status": "ok"}
    missing = client.post("/api/v1/check/", {"codelists": "asthma-group/nope/v1",
                                             "manifest": '{"files": {}}'})
    assert missing.json() == {"status": "error",
                              "data": {"error": "asthma-group/nope/v1 could not be found"}}
    bad = client.post("/api/v1/check/", {"codelists": line, "manifest": "{"})
    assert bad.json()["data"] == {"error": "Codelists manifest file is invalid"}
    stale = json.dumps({"files": {"x.csv": {"id": line, "sha": "0" * 40},
                                  "y.csv": {"id": "asthma-group/gone/v1", "sha": "1"}}})
    changed = client.post("/api/v1/check/", {"codelists": f"{line}\nasthma-group/asthma/v1",
                                             "manifest": stale}).json()
    assert changed == {"status": "error", "data": {
        "added": ["asthma-group/asthma/v1"], "removed": ["asthma-group/gone/v1"],
        "changed": [line]}}


def _token(api_client, user):
    _, key = account_actions.create_token(user, "test")
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return api_client


def test_create_codelist_and_versions_in_their_request_shape(api_client, owned, web_users):
    url = "/api/v1/codelist/asthma-group/"
    body = {"name": "Wheeze", "coding_system_id": "snomedct",
            "coding_system_database_alias": "x", "codes": ["56018004"]}
    assert api_client.post(url, body, format="json").status_code in (401, 403)
    _token(api_client, web_users["other"])
    assert api_client.post(url, body, format="json").status_code == 403
    _token(api_client, web_users["depositor"])
    assert api_client.post(url, {"name": "x", "coding_system_id": "snomedct"},
                           format="json").json() == \
        {"error": "Provide exactly one of `codes` or `csv_data`"}
    assert api_client.post(url, {**body, "colour": 1}, format="json").json() == \
        {"error": "Extra keys: `colour`"}
    assert api_client.post(url, {**body, "codes": "56018004"}, format="json").json() == \
        {"error": "`codes` must be a list of codes"}
    assert api_client.post(url, {**body, "name": ["x"]}, format="json").json() == \
        {"error": "`name` must be text"}
    assert api_client.post(url, {**body, "slug": "a/b"}, format="json").json() == \
        {"error": "'a/b' cannot be a slug: use letters, digits, - and _"}
    created = api_client.post(url, body, format="json")
    assert created.json() == {"codelist": "/codelist/asthma-group/wheeze/"}
    versions = "/api/v1/codelist/asthma-group/wheeze/versions/"
    same = api_client.post(versions, {"codes": ["56018004"]}, format="json")
    assert same.status_code == 400
    assert same.json() == {"error": "No difference to previous version"}
    newer = api_client.post(versions, {"codes": ["56018004", "195967001"], "tag": "2026-02"},
                            format="json")
    assert newer.json() == {"codelist_version": "/codelist/asthma-group/wheeze/2026-02/"}
    rows = _rows(api_client.get("/codelist/asthma-group/wheeze/2026-02/download.csv"))
    assert [r[0] for r in rows[1:]] == ["195967001", "56018004"]


def test_embargoed_articles_stay_hidden(client, owned):
    import datetime

    from webapp.repository.models import Article

    Article.objects.filter(pk=owned.pk).update(
        embargo_until=datetime.date.today() + datetime.timedelta(days=30))
    assert client.get("/codelist/asthma-group/asthma/v2/download.csv").status_code == 404
    assert client.get("/api/v1/codelist/").json() == {"codelists": []}


def test_definition_csv_lists_the_rules_depth_first(client, owned, snomed_small_store,
                                                    monkeypatch):
    from codelists.codelist.definition import Definition, Rule
    from codelists.codelist.fileformat import dumps, parse
    from tests.plugins.web import make_codelist_text
    from webapp.repository import actions

    monkeypatch.setenv("CODELISTS_DB", str(snomed_small_store))
    cl = parse(make_codelist_text(id="disease", active=[("64572001", "Disease"),
                                                       ("195967001", "Asthma")]))
    cl.definition = Definition(rules=(Rule("439656005", True), Rule("3723001", False),
                                      Rule("64572001", True), Rule("195967001", True)))
    actions.add_codelist(owned.created_by, owned, actions.NewCodelist(dumps(cl)))
    rows = _rows(client.get("/codelist/asthma-group/disease/v1/definition.csv"))
    assert rows == [["code", "term", "is_included"],
                    ["64572001", "Disease", "+"],
                    ["195967001", "Asthma", "+"],
                    ["3723001", "Arthritis", "-"],
                    ["439656005", "Arthritis of elbow", "+"]]


def test_dmd_download_of_a_bnf_list(client, owned, shared, tmp_path, monkeypatch):
    """A BNF code table (one presentation, rows ours, in the NHSBSA layout) and the real
    BNF -> dm+d mapping workbook; the list's presentation maps to a VMP and a VMPP."""
    import csv as csv_module
    import zipfile

    from codelists.terminology.bnf.importer import LEVELS, import_release
    from tests.plugins.web import make_codelist_text
    from webapp.repository import actions

    folder = tmp_path / "bnf"
    folder.mkdir()
    levels = [("02", "Cardiovascular system"), ("0206", "Nitrates, calcium-channel blockers"),
              ("020602", "Calcium-channel blockers"), ("0206020", "Calcium-channel blockers"),
              ("0206020T0", "Nifedipine"), ("0206020T0AA", "Nifedipine"),
              ("0206020T0AAAGAG", "Nifedipine 20mg modified-release tablets")]
    with (folder / "20200101_bnf_code_information.csv").open("w", newline="") as fh:
        writer = csv_module.writer(fh)
        writer.writerow([h for level in LEVELS for h in (f"BNF {level}", f"BNF {level} Code")])
        writer.writerow([v for code, name in levels for v in (name, code)])
    workbook = (shared / "data/terminologies/opencodelists-fixtures/mappings/bnfdmd/"
                "fixtures/import_resources/BNF Snomed Mapping data 20241119.zip")
    with zipfile.ZipFile(workbook) as zf:
        zf.extractall(folder)
    stores = tmp_path / "stores"
    stores.mkdir()
    import_release(folder, stores / "bnf.db")
    monkeypatch.setenv("CODELISTS_DATA_DIR", str(stores))
    text = make_codelist_text(id="nifedipine", system="bnf",
                              active=[("0206020T0AAAGAG", "Nifedipine 20mg tablets")])
    actions.add_codelist(owned.created_by, owned, actions.NewCodelist(text))
    response = client.get("/codelist/asthma-group/nifedipine/v1/dmd-download.csv")
    assert response.status_code == 200 and response["Content-Type"] == "text/csv"
    assert _rows(response) == [["dmd_type", "dmd_id", "dmd_name", "bnf_code"],
                               ["VMP", "42217211000001101", "", "0206020T0AAAGAG"]]


def test_owner_names_by_management_command(web_article):
    from django.core.management import CommandError, call_command

    out = io.StringIO()
    call_command("opencodelists_owner", str(web_article.pk), "resp-group", stdout=out)
    assert "/codelist/resp-group/" in out.getvalue()
    listing = io.StringIO()
    call_command("opencodelists_owner", "--list", stdout=listing)
    assert listing.getvalue().startswith(f"resp-group\tarticle {web_article.pk}")
    for bad in ("Resp Group", "article-3", "user"):
        with pytest.raises(CommandError, match="cannot be an owner name"):
            call_command("opencodelists_owner", str(web_article.pk), bad)


def test_definition_csv_infers_the_rules_of_a_flat_list(client, owned, snomed_small_store,
                                                        monkeypatch):
    from tests.plugins.web import make_codelist_text
    from webapp.repository import actions

    monkeypatch.setenv("CODELISTS_DB", str(snomed_small_store))
    text = make_codelist_text(id="arthritis", active=[("3723001", "Arthritis"),
                                                      ("69896004", "Rheumatoid arthritis")])
    actions.add_codelist(owned.created_by, owned, actions.NewCodelist(text))
    rows = _rows(client.get("/codelist/asthma-group/arthritis/v1/definition.csv"))
    assert rows == [["code", "term", "is_included"], ["3723001", "Arthritis", "+"],
                    ["439656005", "Arthritis of elbow", "-"]]

"""Background jobs (webapp.jobs on django-tasks' database backend): a real worker run
in-process, and the deposit of a list too large for a request, checked and saved as
jobs with their progress on the page."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from tests.web.test_repository_deposit import ARTICLE
from webapp import jobs
from webapp.jobs.models import Job

pytestmark = pytest.mark.django_db(transaction=True)


@jobs.job
def count_to(job, *, n: int) -> dict:
    for i in range(n):
        jobs.progress(job, done=i + 1, total=n, message=f"counted {i + 1}")
    return {"summary": f"counted to {n}", "url": "/"}


@jobs.job
def refuse(job) -> dict:
    from codelists.errors import UserError

    raise UserError("the file has no code column", hint="name a code column")


def not_a_job(job) -> dict:
    return {}


def _work():
    call_command("run_jobs", batch=True, verbosity=0)


def test_a_job_runs_in_the_worker_and_records_progress_and_result(web_users):
    record = jobs.submit(count_to, owner=web_users["other"], title="Count", n=3)
    assert Job.objects.get(pk=record.pk).state == "queued"
    _work()
    record.refresh_from_db()
    assert (record.state, record.done, record.total) == ("done", 3, 3)
    assert record.result == {"summary": "counted to 3", "url": "/"}


def test_a_failed_job_says_why_and_only_its_owner_sees_it(client, web_users):
    record = jobs.submit(refuse, owner=web_users["other"], title="Refuse")
    _work()
    record.refresh_from_db()
    assert record.state == "failed" and "no code column" in record.error
    client.force_login(web_users["depositor"])
    assert client.get(record.get_absolute_url()).status_code == 404
    client.force_login(web_users["other"])
    assert "no code column" in client.get(record.get_absolute_url()).content.decode()


def test_only_marked_functions_can_be_submitted(web_users):
    with pytest.raises(ValueError, match="not marked"):
        jobs.submit(not_a_job, owner=web_users["other"], title="x")


def test_a_large_deposit_is_checked_and_saved_off_the_request(client, web_users, settings):
    settings.CODELISTS_SYNC_LINES = 50
    client.force_login(web_users["depositor"])
    client.post(reverse("repository:deposit"), ARTICLE)
    rows = "".join(f"J{i // 10:02d}.{i % 10},Term {i}\n" for i in range(300))
    response = client.post(reverse("repository:deposit-files"), {"files": [
        SimpleUploadedFile("big-icd.csv", ("code,term\n" + rows).encode())]})
    assert response.status_code == 302
    page = client.get(reverse("repository:deposit-files")).content.decode()
    assert "checking" in page and "Waiting to start" in page
    _work()
    page = client.get(reverse("repository:deposit-files")).content.decode()
    assert "checking" not in page and "big-icd.csv" in page
    response = client.post(reverse("repository:deposit-confirm"))
    job_url = response["Location"]
    assert job_url.startswith("/jobs/")
    assert "Saving the deposit" in client.get(job_url).content.decode()
    _work()
    page = client.get(job_url).content.decode()
    assert "Deposited 1 codelist(s)." in page
    from webapp.repository.models import Article

    article = Article.objects.get(title=ARTICLE["title"])
    assert article.codelists.get().code_count == 300


def test_a_large_api_deposit_is_accepted_as_a_job(api_client, web_users, web_article,
                                                  settings):
    from tests.plugins.web import make_codelist_text

    settings.CODELISTS_SYNC_LINES = 20
    from benchmarks.bench_web import sctid

    active = [(sctid(i), f"Term {i}") for i in range(60)]
    text = make_codelist_text(id="big", title="Big list", active=active)
    api_client.force_authenticate(web_users["depositor"])
    response = api_client.post(f"/api/v1/articles/{web_article.pk}/codelists/",
                               {"text": text}, format="json")
    assert response.status_code == 202, response.content
    job = response.json()
    assert job["state"] == "queued" and response["Location"] == job["url"]
    _work()
    done = api_client.get(job["url"]).json()
    assert done["state"] == "done", done
    codelist = api_client.get(done["result"]["api_url"]).json()
    assert codelist["title"] == "Big list" and codelist["code_count"] == 60
    api_client.force_authenticate(web_users["other"])
    assert api_client.get(job["url"]).status_code == 404



def test_a_finished_job_reloads_the_page_that_polls_it(client, web_users):
    record = jobs.submit(count_to, owner=web_users["other"], title="Count", n=1)
    client.force_login(web_users["other"])
    polled = client.get(record.get_absolute_url(), HTTP_HX_REQUEST="true",
                        HTTP_HX_CURRENT_URL="http://testserver/deposit/files/")
    assert "HX-Refresh" not in polled.headers and "every 2s" in polled.content.decode()
    _work()
    polled = client.get(record.get_absolute_url(), HTTP_HX_REQUEST="true",
                        HTTP_HX_CURRENT_URL="http://testserver/deposit/files/")
    assert polled["HX-Refresh"] == "true"

"""Published versions are immutable: in the models and in the database itself."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.db import IntegrityError, connection, transaction

from webapp.repository.models import Article, Code, Codelist, CodelistVersion, ImmutableError

pytestmark = pytest.mark.django_db


@pytest.fixture
def version(fast_passwords):
    user = User.objects.create_user("alice", password="x-secret-123")
    article = Article.objects.create(title="An article", created_by=user)
    codelist = Codelist.objects.create(
        article=article, slug="asthma", title="Asthma", coding_system="snomedct"
    )
    version = CodelistVersion.objects.create(
        codelist=codelist, number=1, text="x", sha256="0" * 64, created_by=user
    )
    Code.objects.create(version=version, code="195967001", term="Asthma", status="active", line=1)
    return version


def test_model_refuses_to_modify_or_delete_a_version(version):
    version.note = "changed"
    with pytest.raises(ImmutableError):
        version.save()
    with pytest.raises(ImmutableError):
        version.delete()
    with pytest.raises(ImmutableError):
        CodelistVersion.objects.filter(pk=version.pk).update(note="changed")
    with pytest.raises(ImmutableError):
        Code.objects.filter(version=version).delete()


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE repository_codelistversion SET note = 'changed'",
        "DELETE FROM repository_codelistversion",
        "UPDATE repository_code SET code = '1'",
        "DELETE FROM repository_code",
    ],
)
def test_database_refuses_raw_changes(version, sql):
    with pytest.raises(IntegrityError, match="immutable"):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql)
    assert CodelistVersion.objects.get(pk=version.pk).note == ""
    assert Code.objects.filter(version=version).count() == 1


@pytest.mark.django_db(transaction=True)
def test_only_flush_may_wipe_versions_and_relocks_the_guard(fast_passwords):
    from django.core.management import call_command

    def make():
        user = User.objects.create_user("bob", password="x-secret-123")
        article = Article.objects.create(title="A", created_by=user)
        codelist = Codelist.objects.create(article=article, slug="a", title="A",
                                           coding_system="snomedct")
        return CodelistVersion.objects.create(codelist=codelist, number=1, text="x",
                                              sha256="0" * 64, created_by=user)

    make()
    call_command("flush", interactive=False, verbosity=0)
    assert CodelistVersion.objects.count() == 0
    make()
    with pytest.raises(IntegrityError, match="immutable"):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("DELETE FROM repository_codelistversion")
    with connection.cursor() as cursor:
        cursor.execute("SELECT unlocked FROM codelists_guard")
        assert cursor.fetchone()[0] == 0

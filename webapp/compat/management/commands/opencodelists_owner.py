"""Give an article the OpenCodelists owner name its lists are fetched under.

    python -m webapp.manage opencodelists_owner 12 opensafely
    python -m webapp.manage opencodelists_owner --list
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from webapp.compat import actions
from webapp.compat.models import Owner
from webapp.repository.models import Article


class Command(BaseCommand):
    help = "Give an article an OpenCodelists owner name (e.g. opensafely), or --list them."

    def add_arguments(self, parser):
        parser.add_argument("article", nargs="?", type=int, help="the article's id")
        parser.add_argument("name", nargs="?", help="the owner name")
        parser.add_argument("--list", action="store_true", help="list every owner name")

    def handle(self, *args, **options):
        if options["list"]:
            for owner in Owner.objects.select_related("article").order_by("slug"):
                self.stdout.write(f"{owner.slug}\tarticle {owner.article_id}\t"
                                  f"{owner.article.title}")
            return
        if options["article"] is None or not options["name"]:
            raise CommandError("give an article id and an owner name (or --list)")
        article = Article.objects.filter(pk=options["article"]).first()
        if article is None:
            raise CommandError(f"no article {options['article']}")
        try:
            owner = actions.set_owner(article.created_by, article, options["name"])
        except actions.RequestError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"article {article.pk} answers to /codelist/{owner.slug}/...")

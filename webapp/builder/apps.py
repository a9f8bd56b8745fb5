from django.apps import AppConfig


class BuilderConfig(AppConfig):
    name = "webapp.builder"
    label = "builder"
    verbose_name = "Codelist builder"

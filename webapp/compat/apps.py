from django.apps import AppConfig


class CompatConfig(AppConfig):
    name = "webapp.compat"
    label = "compat"
    verbose_name = "OpenCodelists-compatible endpoints"

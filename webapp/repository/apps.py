from django.apps import AppConfig


class RepositoryConfig(AppConfig):
    name = "webapp.repository"
    label = "repository"

"""The online codelist repository (Django project): accounts, repository, api, review."""

"""Bearer-token authentication for the API (tokens issued by webapp.accounts)."""

from __future__ import annotations

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header

from webapp.accounts.actions import user_for_token


class BearerTokenAuthentication(BaseAuthentication):
    """``Authorization: Bearer cl_...`` (also accepts ``Token cl_...``)."""

    keywords = (b"bearer", b"token")

    def authenticate(self, request):
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() not in self.keywords:
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed("malformed Authorization header")
        user = user_for_token(parts[1].decode("latin-1"))
        if user is None:
            raise exceptions.AuthenticationFailed("unknown or revoked token")
        return user, None

    def authenticate_header(self, request):
        return 'Bearer realm="api"'


class BearerScheme(OpenApiAuthenticationExtension):
    target_class = "webapp.api.authentication.BearerTokenAuthentication"
    name = "bearerAuth"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer"}

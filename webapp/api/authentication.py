"""Bearer-token authentication for the API (tokens issued by webapp.accounts)."""

from __future__ import annotations

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.permissions import SAFE_METHODS, BasePermission

from webapp.accounts.actions import token_for_key


class BearerTokenAuthentication(BaseAuthentication):
    """``Authorization: Bearer cl_...`` (also accepts ``Token cl_...``)."""

    keywords = (b"bearer", b"token")

    def authenticate(self, request):
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() not in self.keywords:
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed("malformed Authorization header")
        token = token_for_key(parts[1].decode("latin-1"))
        if token is None:
            raise exceptions.AuthenticationFailed("unknown, revoked or expired token")
        return token.user, token

    def authenticate_header(self, request):
        return 'Bearer realm="api"'


class BearerScheme(OpenApiAuthenticationExtension):
    target_class = "webapp.api.authentication.BearerTokenAuthentication"
    name = "bearerAuth"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer"}


class TokenScopeAllows(BasePermission):
    """A read-only token may only read; session users and write tokens may also write."""

    message = "this token is read-only: create a token with the write scope to change data"

    def has_permission(self, request, view) -> bool:
        from webapp.accounts.models import ApiToken, TokenScope

        token = request.auth
        if isinstance(token, ApiToken) and request.method not in SAFE_METHODS:
            return token.scope == TokenScope.WRITE
        return True

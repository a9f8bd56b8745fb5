"""Bearer-token authentication for the API (tokens from webapp.accounts)."""
from rest_framework.authentication import BaseAuthentication


class BearerTokenAuthentication(BaseAuthentication):
    def authenticate(self, request):
        return None

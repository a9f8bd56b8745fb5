"""Who may see and change a draft: its owner, and staff."""

from django.core.exceptions import PermissionDenied


def can_change(user, draft) -> bool:
    return bool(user and user.is_authenticated and (user.is_staff or draft.owner_id == user.pk))


def require_change(user, draft) -> None:
    if not can_change(user, draft):
        raise PermissionDenied("only the draft's owner may change it")


def require_authenticated(user) -> None:
    if not (user and user.is_authenticated):
        raise PermissionDenied("sign in to build a codelist")

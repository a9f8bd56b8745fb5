"""Who may change what: one place, used by actions, views and the API."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from webapp.repository.models import Article, MemberRole


def can_change(user, article: Article) -> bool:
    """Depositors and the co-authors they added may change an article; so may staff."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if user.is_staff:
        return True
    return article.members.filter(user=user).exists()


def can_manage_members(user, article: Article) -> bool:
    """Only depositors (and staff) add or remove co-authors."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if user.is_staff:
        return True
    return article.members.filter(user=user, role=MemberRole.DEPOSITOR).exists()


def can_view(user, article: Article) -> bool:
    return not article.is_embargoed() or can_change(user, article)


def require_change(user, article: Article) -> None:
    if not can_change(user, article):
        raise PermissionDenied("only the article's depositors and co-authors may change it")


def require_manage_members(user, article: Article) -> None:
    if not can_manage_members(user, article):
        raise PermissionDenied("only the article's depositors may add or remove co-authors")


def require_authenticated(user) -> None:
    if user is None or not user.is_authenticated or not user.is_active:
        raise PermissionDenied("log in first")

"""Template filters for codelist pages (each a call into the library seam)."""

from django import template

from webapp.repository import library

register = template.Library()


@register.filter
def readable_comment(comment: str) -> str:
    return library.readable_comment(comment or "")


@register.filter
def indent(depth) -> str:
    """Left padding for a row of a code table ordered by hierarchy."""
    try:
        return f"padding-left:{0.4 + 1.2 * min(int(depth), 20):.1f}rem"
    except (TypeError, ValueError):
        return ""

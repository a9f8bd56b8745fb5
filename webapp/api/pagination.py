"""Pagination of API lists: ``limit`` (default 50, at most 1000) and ``offset``."""

from rest_framework.pagination import LimitOffsetPagination


class Pagination(LimitOffsetPagination):
    default_limit = 50
    max_limit = 1000

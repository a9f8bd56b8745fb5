"""Pagination of API lists: ``limit`` (default 50, at most 1000) and ``offset``."""

from rest_framework.pagination import LimitOffsetPagination


class Pagination(LimitOffsetPagination):
    default_limit = 50
    max_limit = 1000

    def paginate_rows(self, queryset, rows_of, request) -> list:
        """The page as plain rows: the count is the queryset's own (a COUNT that joins
        nothing the rows need), and only the page's rows are read, by ``rows_of``."""
        self.request = request
        self.limit = self.get_limit(request)
        self.count = self.get_count(queryset)
        self.offset = self.get_offset(request)
        if self.count == 0 or self.offset > self.count:
            return []
        return list(rows_of(queryset)[self.offset:self.offset + self.limit])

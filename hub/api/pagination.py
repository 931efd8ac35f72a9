"""Cursor pagination (API.md): ``{"next", "previous", "results"}``, page_size up to 1000."""

from rest_framework.pagination import CursorPagination as DRFCursorPagination


class CursorPagination(DRFCursorPagination):
    page_size_query_param = "page_size"
    max_page_size = 1000
    ordering = "-id"

    def get_ordering(self, request, queryset, view):
        resolved = getattr(view, "resolved_ordering", None)
        return tuple(resolved) if resolved else (self.ordering,)

"""A page of a long list: the rows shown, how many there are in all, which page this is.

Lists that grow with the organisation (the desk's lists, a member's statement) show a page
at a time, so a request's cost stays the same however long the list gets. The numbers are
exact: the total comes from a ``COUNT``, never from the rows loaded. Templates draw the
links with the ``pager`` macro of ``templates/_pager.html``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    total: int
    page: int  # 1-based
    size: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.size))

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.size


def page_number(raw: str | None, total: int, size: int) -> int:
    """The page asked for in ``raw`` (a query-string value), within 1..the last page: a
    missing, malformed or out-of-range number shows the nearest page instead of an error
    (a link to page 9 stays useful when the list shrank to 8 pages)."""
    try:
        asked = int(raw or 1)
    except ValueError:
        asked = 1
    last = max(1, -(-total // size))
    return min(max(asked, 1), last)

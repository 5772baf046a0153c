"""What milepost writes besides its Markdown pages: a calendar feed, canvases, a Bases file.

Each generator is a pure function from plain :class:`FeedMilestone` records (and its options) to
the bytes of a file, so the build decides where and when to write them; :func:`from_index` makes
the records from an index. The canvas generator also reads the canvas on disk, to keep the
user's layout, and answers :class:`NotMilepost` when that canvas is not milepost's to rewrite.
"""

from .bases import portfolio_base
from .calendar import calendar, obsidian_url, review_date
from .canvas import NotMilepost, read_canvas, roadmap_canvas
from .picture import canvas_svg
from .records import FeedMilestone, from_index, plain

__all__ = [
    "FeedMilestone",
    "NotMilepost",
    "calendar",
    "canvas_svg",
    "from_index",
    "obsidian_url",
    "plain",
    "portfolio_base",
    "read_canvas",
    "review_date",
    "roadmap_canvas",
]

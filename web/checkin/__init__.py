"""The volunteers' check-in page, reached by a check-in link (``/checkin/<secret>``)."""

from web.checkin.routes import error_page, router

__all__ = ["error_page", "router"]

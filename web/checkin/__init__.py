"""The volunteers' check-in page, reached by a check-in link (``/checkin/<secret>``)."""

from fastapi import APIRouter

router = APIRouter()

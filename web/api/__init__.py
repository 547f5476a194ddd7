"""The OSDI 1.2 API under ``/api/v2/``, shaped as Action Network serves it."""

from fastapi import APIRouter

router = APIRouter(prefix="/api/v2")

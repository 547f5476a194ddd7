"""The OSDI 1.2 API under ``/api/v2/``, shaped as Action Network serves it.

The entry point (:mod:`web.api.entry`), people and the person signup helper
(:mod:`web.api.people`), events and attendances with the record-attendance helper
(:mod:`web.api.events`, :mod:`web.api.attendances`), tags and taggings (:mod:`web.api.tags`).
Reads need any token; writes an organiser's, and each lands in the audit with the token's
name, in the transaction of the write (:func:`web.api.common.write`).
"""

from fastapi import APIRouter

from web.api import entry, events, people, tags

router = APIRouter(prefix="/api/v2")
for _part in (entry, people, events, tags):
    router.include_router(_part.router)

"""The API entry point: ``GET /api/v2/``."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request

from ladder.access.tokens import Principal
from web.api.common import CURIES, MAX_PAGE_SIZE, Naming
from web.deps import reader

router = APIRouter()
COLLECTIONS = {
    "osdi:people": ("people", "The collection of people in the system"),
    "osdi:events": ("events", "The collection of events in the system"),
    "osdi:tags": ("tags", "The collection of tags in the system"),
    "osdi:person_signup_helper": ("people", "The person signup helper for the system"),
}


@router.get("/")
def entry_point(request: Request, _who: Annotated[Principal, Depends(reader)]) -> dict[str, Any]:
    naming = Naming.of(request)
    links: dict[str, Any] = {
        "curies": CURIES,
        "self": {"href": naming.root, "title": "This API entry point"},
    }
    for rel, (path, title) in COLLECTIONS.items():
        links[rel] = {"href": naming.href(path), "title": title}
    return {
        "motd": "Welcome to ladder's OSDI API",
        "vendor_name": "ladder",
        "product_name": "ladder",
        "osdi_version": "1.2",
        "max_pagesize": MAX_PAGE_SIZE,
        "namespace": naming.namespace,
        "_links": links,
    }

"""Tags and taggings: ``/tags`` (list, create), ``/tags/{id}`` (get), ``/tags/{id}/taggings``
(list, add: a person gets the tag)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse

from ladder.access.tokens import Principal
from ladder.errors import InputError, NotFoundError
from ladder.interop.osdi_export import LIVE, tag_document, tagging_document
from ladder.interop.osdi_import import OsdiReport
from web.api import bodies
from web.api.common import Naming, Paging, collection, read_one, read_page, write
from web.deps import organiser, reader

router = APIRouter()
Reader = Annotated[Principal, Depends(reader)]
Organiser = Annotated[Principal, Depends(organiser)]
Body = Annotated[Any, Depends(bodies.json_body)]
TAGS_SELECT = "SELECT id, name FROM tags"
TAGGINGS_SELECT = (
    "SELECT t.tag_id, t.supporter_id FROM supporter_tags t JOIN supporters s "
    "ON s.id = t.supporter_id"
)


def document(naming: Naming, tag_id: int, name: str) -> dict[str, Any]:
    found = tag_document(tag_id, name, naming.namespace, naming.href)
    found["_links"]["osdi:taggings"] = {"href": naming.href(f"tags/{tag_id}/taggings")}
    return found


def _tag(request: Request, tag: str) -> tuple[int, str]:
    naming = Naming.of(request)
    tag_id = naming.own_id(tag, "tag")
    row, _ = read_one(
        request, f"{TAGS_SELECT} WHERE id = :id", "tag", f"{naming.namespace}:{tag_id}", id=tag_id
    )
    return int(row[0]), str(row[1])


def _no_filter(request: Request) -> None:
    if request.query_params.get("filter"):
        raise InputError("filter: tags and taggings are not filtered: filter people or events")


@router.get("/tags")
def list_tags(request: Request, _who: Reader) -> dict[str, Any]:
    _no_filter(request)
    naming, paging = Naming.of(request), Paging.of(request)
    page = read_page(request, TAGS_SELECT, "1 = 1", "id", "tags", paging)
    documents = [document(naming, row[0], row[1]) for row in page.rows]
    return collection(request, naming, paging, "tags", "tags", documents, page.total)


@router.get("/tags/{tag}")
def get_tag(request: Request, tag: str, _who: Reader) -> dict[str, Any]:
    return document(Naming.of(request), *_tag(request, tag))


@router.post("/tags")
def create_tag(request: Request, who: Organiser, body: Body) -> JSONResponse:
    """A tag by name (one already there, in any capitals, is that tag: 200)."""
    given = bodies.checked(bodies.Tag, body)
    if not isinstance(given.get("name"), str) or not given["name"].strip():
        raise InputError("name: a tag needs a name")
    report = write(
        request,
        who,
        "POST /tags",
        {"name": given["name"]},
        fields=["tags"],
        people=lambda report: [],
    )
    tag_id, name = _tag(request, str(report.tag_ids[0]))
    status = 201 if report.tags_created else 200
    return JSONResponse(document(Naming.of(request), tag_id, name), status_code=status)


@router.get("/tags/{tag}/taggings")
def list_taggings(request: Request, tag: str, _who: Reader) -> dict[str, Any]:
    _no_filter(request)
    tag_id, _ = _tag(request, tag)
    naming, paging = Naming.of(request), Paging.of(request)
    page = read_page(
        request,
        TAGGINGS_SELECT,
        f"{LIVE} AND t.tag_id = :tag",
        "t.supporter_id",
        "supporter_tags t JOIN supporters s ON s.id = t.supporter_id",
        paging,
        key=1,
        tag=tag_id,
    )
    documents = [tagging_document(row[0], row[1], naming.href) for row in page.rows]
    return collection(
        request, naming, paging, "taggings", f"tags/{tag_id}/taggings", documents, page.total
    )


def _linked(report: OsdiReport) -> None:
    if not report.tagged:
        raise NotFoundError("_links.osdi:person: no such person here: check the href")


@router.post("/tags/{tag}/taggings")
def add_tagging(request: Request, tag: str, who: Organiser, body: Body) -> JSONResponse:
    given = bodies.checked(bodies.Tagging, body)
    tag_id, name = _tag(request, tag)
    if given.get("item_type", "osdi:person") != "osdi:person":
        raise InputError("item_type: only people are tagged here (osdi:person)")
    links = dict(given.get("_links") or {})
    if "osdi:person" not in links:
        raise InputError("_links.osdi:person: say who gets the tag")
    links["osdi:tag"] = {"href": f"tags/{tag_id}"}
    report = write(
        request,
        who,
        f"POST /tags/{tag_id}/taggings",
        {**given, "item_type": "osdi:person", "_links": links},
        fields=["tags"],
        people=lambda report: report.tagged,
        detail=lambda report: {"tag": tag_id},
        check=_linked,
        tag=name,
    )
    found = tagging_document(tag_id, report.tagged[0], Naming.of(request).href)
    return JSONResponse(found, status_code=201 if report.taggings_added else 200)

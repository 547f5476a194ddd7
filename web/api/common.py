"""What every API route shares: ids and hrefs in the server's namespace, paging, collections,
and writes through the OSDI importer with their audit entry in the same transaction.

Collections are read one page at a time: one SELECT of the page (``LIMIT``/``OFFSET`` on the
primary key), one count, and the page's other identifiers in one grouped query; never a query
per document.
"""

from __future__ import annotations

import json
import math
import re
import threading
import time
from collections import OrderedDict, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from sqlalchemy import Connection, bindparam, text

from ladder.access.tokens import Principal
from ladder.errors import InputError, NotFoundError
from ladder.interop.osdi_import import OsdiReport, import_documents
from ladder.privacy import audit
from ladder.storage.engine import reading
from web.api.filters import Condition
from web.deps import workspace

MAX_PAGE_SIZE = 25
MAX_PAGE = 10**9
PREFIX = "/api/v2/"
_OWN_HREF = re.compile(r"(?:^|/api/v2/)((?:people|events|tags)/\d+)/?$")
# a person document's fields -> the person's fields they set (for the audit: names only)
PERSON_FIELDS = {
    "given_name": ("first_name",),
    "family_name": ("last_name",),
    "email_addresses": ("email", "consent_email"),
    "phone_numbers": ("phone", "consent_sms"),
    "postal_addresses": ("postcode",),
    "identifiers": ("identifiers",),
    "add_tags": ("tags",),
}
CUSTOM_FIELDS = {
    "ladder_rung": "rung",
    "ladder_recruiter": "recruiter",
    "ladder_consent_email": "consent_email",
    "ladder_consent_sms": "consent_sms",
    "ladder_consent_photo": "consent_photo",
}


def _digits(value: str, at_most: int) -> bool:
    """Whole-number text int() reads (ASCII digits: not '²'), at most ``at_most`` long."""
    return 0 < len(value) <= at_most and value.isascii() and value.isdigit()


@dataclass(frozen=True)
class Naming:
    """The server's identifier namespace (``ladder:12``, or ``action_network:12``) and where
    its API lives (absolute hrefs)."""

    namespace: str
    root: str  # "http://127.0.0.1:8000/api/v2/"

    @classmethod
    def of(cls, request: Request) -> Naming:
        options = request.app.state.options
        return cls(options.id_namespace, options.base_url.rstrip("/") + PREFIX)

    def href(self, path: str) -> str:
        return self.root + path

    def own_id(self, value: str, what: str) -> int:
        """The id in a URL (``/people/12``): 404 for anything else."""
        if not _digits(value, 19) or not 0 < int(value) < 2**63:
            raise NotFoundError(f"no {what} {self.namespace}:{value}")
        return int(value)

    def localised(self, body: Any) -> Any:
        """A request body as the importer reads it: hrefs to this API become relative
        (``people/12``) and this namespace's ids ``ladder:<id>``."""
        if isinstance(body, list):
            return [self.localised(item) for item in body]
        if not isinstance(body, dict):
            return body
        found: dict[str, Any] = {}
        for key, value in body.items():
            if key == "href" and isinstance(value, str) and (m := _OWN_HREF.search(value)):
                found[key] = m.group(1)
            elif key == "identifiers" and isinstance(value, list):
                found[key] = [self._own(v) for v in value]
            elif key == "ladder_recruiter" and isinstance(value, str):
                found[key] = self._own(value)
            else:
                found[key] = self.localised(value)
        return found

    def _own(self, identifier: Any) -> Any:
        if isinstance(identifier, str) and self.namespace != "ladder":
            namespace, _, value = identifier.partition(":")
            if namespace == self.namespace and _digits(value, 19):
                return f"ladder:{value}"
        return identifier


@dataclass(frozen=True)
class Paging:
    page: int
    per_page: int

    @classmethod
    def of(cls, request: Request) -> Paging:
        query = request.query_params
        page = _whole(query.get("page"), "page", 1)
        per_page = _whole(query.get("per_page"), "per_page", MAX_PAGE_SIZE)
        return cls(min(page, MAX_PAGE), min(per_page, MAX_PAGE_SIZE))

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.per_page


def _whole(given: str | None, name: str, default: int) -> int:
    if given is None or given == "":
        return default
    if not _digits(given.strip(), 10) or int(given) < 1:
        raise InputError(f"{name}: {given[:20]!r} is not a whole number from 1")
    return int(given)


def collection(
    request: Request,
    naming: Naming,
    paging: Paging,
    kind: str,
    path: str,
    documents: list[dict[str, Any]],
    total: int,
) -> dict[str, Any]:
    """An OSDI collection page as Action Network serves it (``_embedded["osdi:<kind>"]``,
    an empty list past the last page)."""
    pages = math.ceil(total / paging.per_page) if total else 0
    kept = {k: v for k, v in request.query_params.items() if k not in ("page", "per_page")}

    def page_href(page: int) -> str:
        query = urlencode({**kept, "page": page, "per_page": paging.per_page})
        return f"{naming.href(path)}?{query}"

    links: dict[str, Any] = {"self": {"href": page_href(paging.page)}}
    if paging.page < pages:
        links["next"] = {"href": page_href(paging.page + 1)}
    if 1 < paging.page <= pages + 1:
        links["previous"] = {"href": page_href(paging.page - 1)}
    links[f"osdi:{kind}"] = [d["_links"]["self"] for d in documents if "self" in d["_links"]]
    links["curies"] = CURIES
    return {
        "total_pages": pages,
        "per_page": paging.per_page,
        "page": paging.page,
        "total_records": total,
        "_links": links,
        "_embedded": {f"osdi:{kind}": documents},
    }


CURIES = [{"name": "osdi", "href": "https://opensupporter.github.io/osdi-docs/{rel}",
           "templated": True}]  # fmt: skip


@dataclass
class Page:
    rows: list[Sequence[Any]]
    total: int
    others: dict[int, list[str]]  # first column's id -> other tools' identifiers


class Memo:
    """What this process remembers between pages, so that a client looping over a big
    collection page after page reads each page from an index instead of skipping
    ``(page - 1) * per_page`` rows, and counts once rather than once a page.

    * the last key of each page served (for :data:`LAST_SECONDS`): the next page of the same
      query is read as ``key > last`` (keyset); without it, with ``OFFSET``. New rows get
      higher keys, so a loop that started before them still sees each row once.
    * each query's count, for :data:`COUNT_SECONDS`: a write by another process (a CLI import,
      the check-in page) shows in ``total_records`` within that time.

    Both are forgotten as soon as the API writes (:func:`write`).
    """

    SIZE = 4096
    COUNT_SECONDS = 10.0
    LAST_SECONDS = 600.0

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.memo: OrderedDict[tuple[Any, ...], tuple[float, Any]] = OrderedDict()

    def clear(self) -> None:
        with self.lock:
            self.memo.clear()

    def get(self, key: tuple[Any, ...], seconds: float) -> Any:
        with self.lock:
            found = self.memo.get(key)
        if found is None or time.monotonic() - found[0] > seconds:
            return None
        return found[1]

    def put(self, key: tuple[Any, ...], value: Any) -> None:
        with self.lock:
            self.memo[key] = (time.monotonic(), value)
            self.memo.move_to_end(key)
            while len(self.memo) > self.SIZE:
                self.memo.popitem(last=False)


def memo_of(request: Request) -> Memo:
    """This app's memo (one per server: a test's app never sees another's pages)."""
    state = request.app.state
    if getattr(state, "memo", None) is None:
        state.memo = Memo()
    found: Memo = state.memo
    return found


def read_page(
    request: Request,
    select: str,
    where: str,
    order: str,
    count_from: str,
    paging: Paging,
    condition: Condition | None = None,
    others: tuple[str, str] | None = None,
    key: int = 0,
    **params: Any,
) -> Page:
    """One page of ``select`` (``WHERE where AND condition ORDER BY order``; ``order`` is a
    unique column, the ``key``-th of the row), how many rows there are in all
    (``SELECT count(*) FROM count_from WHERE ...``) and, given ``others`` (table, owner
    column), the page's other identifiers: at most three queries in one read (:class:`Memo`)."""
    condition = condition or Condition()
    clause = f"WHERE {where} AND {condition.sql}"
    values = tuple(sorted(params.items())) + tuple(str(p.value) for p in condition.params)
    engine = workspace(request).engine
    query = (engine.url.render_as_string(), select, clause, order, values)
    count_sql = condition.bind(f"SELECT count(*) FROM {count_from} {clause}")
    namespace = Naming.of(request).namespace
    memo = memo_of(request)
    with reading(engine) as connection, connection.begin():
        total = memo.get(("count", *query), memo.COUNT_SECONDS)
        if total is None:
            total = int(connection.execute(count_sql, params).scalar_one())
            memo.put(("count", *query), total)
        after = memo.get(("last", *query, paging.per_page, paging.page - 1), memo.LAST_SECONDS)
        given = {**params, "_limit": paging.per_page}
        rows: list[Sequence[Any]]
        # the rows are always read, whatever the remembered count says: a count another
        # process's write made stale must not end a client's loop early with an empty page
        if after is not None:
            sql = f"{select} {clause} AND {order} > :_after ORDER BY {order} LIMIT :_limit"
            rows = list(connection.execute(condition.bind(sql), {**given, "_after": after}))
        else:
            sql = f"{select} {clause} ORDER BY {order} LIMIT :_limit OFFSET :_offset"
            rows = list(
                connection.execute(condition.bind(sql), {**given, "_offset": paging.offset})
            )
        if rows:
            memo.put(("last", *query, paging.per_page, paging.page), rows[-1][key])
            total = max(total, paging.offset + len(rows))  # at least what this page shows
        found: dict[int, list[str]] = {}
        if others is not None and rows:
            ids = [row[0] for row in rows]
            found = identifiers_of(connection, others[0], others[1], ids, namespace)
    return Page(rows, total, found)


def identifiers_of(
    connection: Connection, table: str, owner: str, ids: list[int], namespace: str
) -> dict[int, list[str]]:
    """Other tools' identifiers of ``ids``, in one query (not this server's own namespace,
    which names ladder's ids here)."""
    found: dict[int, list[str]] = defaultdict(list)
    if not ids:
        return found
    query = text(
        f"SELECT {owner}, namespace, value FROM {table} WHERE {owner} IN :ids "
        f"ORDER BY {owner}, namespace, value"
    ).bindparams(bindparam("ids", expanding=True))
    for who, their_namespace, value in connection.execute(query, {"ids": ids}):
        if their_namespace != namespace:
            found[who].append(f"{their_namespace}:{value}")
    return found


def read_one(
    request: Request,
    sql: str,
    what: str,
    shown: str,
    others: tuple[str, str] | None = None,
    **params: Any,
) -> tuple[Sequence[Any], list[str]]:
    """The one row ``sql`` finds (404 without one) and, given ``others``, its identifiers."""
    namespace = Naming.of(request).namespace
    with reading(workspace(request).engine) as connection, connection.begin():
        row = connection.execute(text(sql), params).first()
        if row is None:
            raise NotFoundError(f"no {what} {shown}")
        found: list[str] = []
        if others is not None:
            found = identifiers_of(connection, others[0], others[1], [row[0]], namespace)[row[0]]
    return row, found


def person_fields(document: dict[str, Any]) -> list[str]:
    """The names of the person's fields a person document sets (for the audit)."""
    names = {name for key in document for name in PERSON_FIELDS.get(key, ())}
    custom = document.get("custom_fields")
    if isinstance(custom, dict):
        names |= {CUSTOM_FIELDS[key] for key in custom if key in CUSTOM_FIELDS}
    return sorted(names)


def write(
    request: Request,
    principal: Principal,
    command: str,
    document: dict[str, Any],
    *,
    fields: list[str],
    people: Callable[[OsdiReport], list[int]],
    detail: Callable[[OsdiReport], dict[str, Any]] | None = None,
    check: Callable[[OsdiReport], None] | None = None,
    event: int | None = None,
    tag: str | None = None,
    ids_decide: bool = False,
) -> OsdiReport:
    """Import one document through the OSDI importer (the same matching and checks as
    ``ladder import osdi``), with its audit entry in the import's transaction. ``check`` may
    refuse what was written (raising undoes everything)."""
    ws = workspace(request)
    localised = Naming.of(request).localised(document)

    def audited(connection: Connection, report: OsdiReport) -> None:
        if check is not None:
            check(report)
        audit.record(
            connection,
            principal.actor,
            f"api {command}",
            people=people(report),
            fields=fields,
            detail=detail(report) if detail else None,
        )

    try:
        return import_documents(
            ws.engine,
            ws.ladder,
            [("request body", json.dumps(localised))],
            event=event,
            tag=tag,
            after_write=audited,
            ids_decide=ids_decide,
        )
    finally:
        memo_of(request).clear()  # counts and page keys may have changed

"""The OSDI API's people collection: a client paging through it, as Parsons' OSDI client does.

Rows (one fresh process; every call through the ASGI app in-process with httpx, the token
check left out (its cost is the check-in page's bench): the median of the pages read):

* a client's loop deep in the collection: pages N+1 .. N+LOOP after page N, where N is 90% of
  the way through (each next page read by key, the count remembered);
* one page there read cold (a client jumping to page N: OFFSET and a count).

The limit is the hand-written keyset read of the same 25 people (the same columns as the
export's, the page's identifiers in one query, each row dumped with ``json``), in the same
process: the floor for a page.

    python -m bench api --people 1000000 [--backend postgresql]
"""

from __future__ import annotations

import asyncio
import json
import statistics
import time
from typing import Any

from bench.datasets import ensure_dataset
from bench.harness import BenchOptions, Row, benchmark, run_isolated

LOOP = 100
PER_PAGE = 25


@benchmark("api")
def run(options: BenchOptions) -> list[Row]:
    dataset = ensure_dataset(options)
    measured = run_isolated("bench.bench_api:measure", url=dataset.url)
    result = measured.result
    note = f"{options.backend}; page {result['page']:,} of {result['pages']:,}"
    return [
        Row(f"GET /api/v2/people, a client's loop of {LOOP} pages, median page ({note})",
            dataset.people, result["loop"], result["hand"], "hand-written keyset SELECT + json",
            measured.peak_mib, f"same people: {result['same']}"),
        Row(f"GET /api/v2/people, one page read cold (OFFSET and count), median ({note})",
            dataset.people, result["cold"], result["hand"], "hand-written keyset SELECT + json",
            measured.peak_mib, "a client jumping there; 5 calls"),
    ]  # fmt: skip


def measure(url: str) -> dict[str, Any]:
    import httpx
    from sqlalchemy import bindparam, text

    from ladder.access.tokens import Principal
    from ladder.domain.ladderfile import default_ladder_path
    from ladder.domain.vocabulary import Role
    from ladder.interop.osdi_export import LIVE, PEOPLE_SELECT
    from ladder.settings import Settings
    from ladder.workspace import Workspace
    from web.api.common import Memo
    from web.app import create_app
    from web.deps import organiser, reader

    workspace = Workspace(Settings(database_url=url, user="bench"), default_ladder_path())
    app = create_app(workspace)
    memo = app.state.memo = Memo()  # the app's memo of counts and page keys (memo_of's)
    bench = Principal(0, "bench", Role.ORGANISER)
    app.dependency_overrides[reader] = lambda: bench
    app.dependency_overrides[organiser] = lambda: bench
    engine = workspace.engine
    with engine.connect() as connection:
        live = connection.execute(text(f"SELECT count(*) FROM supporters s WHERE {LIVE}"))
        pages = -(-int(live.scalar_one()) // PER_PAGE)
    start = max(1, int(pages * 0.9) - LOOP)

    async def get(client: httpx.AsyncClient, page: int) -> tuple[float, list[int]]:
        began = time.perf_counter()
        response = await client.get(f"/api/v2/people?page={page}&per_page={PER_PAGE}")
        seconds = time.perf_counter() - began
        assert response.status_code == 200, response.text
        documents = response.json()["_embedded"]["osdi:people"]
        ids = [int(d["identifiers"][0].split(":")[1]) for d in documents]
        return seconds, ids

    async def run_client() -> tuple[list[float], list[float], list[int]]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            cold = []
            for _ in range(5):
                memo.clear()
                cold.append((await get(client, start))[0])
            loop, seen = [], []
            for page in range(start + 1, start + 1 + LOOP):
                seconds, ids = await get(client, page)
                loop.append(seconds)
                seen += ids
            return cold, loop, seen

    cold, loop, seen = asyncio.run(run_client())
    hand, hand_ids = [], []
    identifiers = text(
        "SELECT supporter_id, namespace, value FROM supporter_identifiers "
        "WHERE supporter_id IN :ids"
    ).bindparams(bindparam("ids", expanding=True))
    page_sql = text(f"{PEOPLE_SELECT} WHERE {LIVE} AND s.id > :after ORDER BY s.id LIMIT :n")
    with engine.connect() as connection:
        after = connection.execute(
            text(f"SELECT max(s.id) FROM supporters s WHERE {LIVE} AND s.id < :first"),
            {"first": seen[0]},
        ).scalar_one()
        for _ in range(LOOP):
            began = time.perf_counter()
            rows = connection.execute(page_sql, {"after": after, "n": PER_PAGE}).all()
            ids = [row[0] for row in rows]
            others = connection.execute(identifiers, {"ids": ids}).all()
            json.dumps([[str(v) for v in row] for row in rows] + [list(o) for o in others])
            hand.append(time.perf_counter() - began)
            hand_ids += ids
            after = ids[-1]
    return {
        "page": start,
        "pages": pages,
        "cold": statistics.median(cold),
        "loop": statistics.median(loop),
        "hand": statistics.median(hand),
        "same": hand_ids == seen,
    }

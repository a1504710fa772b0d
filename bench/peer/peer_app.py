# SPDX-License-Identifier: MIT
"""The peer for targets 4-6 of the benchmarks: the same two routes as afterwork-demo, in FastAPI
with Starlette's BackgroundTasks, which is what a Python user would pick instead of Afterwork.

Run by bench_http (scripts/bench) with Debian's packages, one worker:
    /usr/bin/python3 -m uvicorn --app-dir bench/peer peer_app:app --workers 1 --no-access-log \
        --loop asyncio --http h11
"""
from fastapi import BackgroundTasks, FastAPI

app = FastAPI()


# Coroutines throughout: the fastest form FastAPI offers (a plain `def` route or task would run in
# a thread pool), so the peer is measured at its best.
async def no_op(ms: int) -> None:
    """The background task: nothing, like afterwork-demo's spawn route with ms=0."""


@app.get("/healthz")
async def healthz():
    return {"status": "ok"}


@app.post("/tasks/spawn")
async def spawn(background_tasks: BackgroundTasks, ms: int = 0, mode: str = "after_response"):
    # Starlette runs background tasks after the response is sent: its only mode. `mode` is accepted
    # so that the same URLs work against both servers.
    background_tasks.add_task(no_op, ms)
    return {"count": 1, "mode": mode}

"""Run in a subprocess whose `raia_agent_api` is generated from a frozen spec: call every operation.

    python _every_operation.py sync|async|raw

Each operation is called through its generated method with arguments built from its own schemas,
against `local_server()` holding every credential the spec declares. A call answers what its spec
documents: a success that is not None (a stream's events are read to the end, a download's bytes
are there), or an APIStatusError whose status the operation documents (a GET by an id nobody
created is a 404). Prints one line per operation, then "ok".
"""

from __future__ import annotations

import asyncio
import itertools
import sys
import uuid
from typing import Any

from raia_agent_api.resources._operations import CREDENTIALS, OPERATIONS

from raia_agent import APIStatusError, AsyncRaia, Raia
from raia_agent.testing import local_server
from raia_agent.testing._instances import instance
from raia_spec import Validator


def arguments(op: Any, ids: dict[str, str] | None = None) -> dict[str, Any]:
    """Keyword arguments for `op`'s method: each parameter and body field from its schema, a path
    parameter from `ids` when given."""
    params = instance(Validator(op.params_schema)) if op.params_schema else {}
    body = instance(Validator(op.body_schema)) if op.body_schema else {}
    files = set(op.body_media.files) if op.body_media is not None else set()
    args: dict[str, Any] = {}
    for param in op.params:
        if param.location == "body" and param.name in files:
            args[param.python] = (f"{param.name}.bin", b"\x00file bytes\xff", "application/octet-stream")
        elif param.location == "body" and not param.name:
            args[param.python] = body  # a body that is not an object of fields (a oneOf, say)
        elif param.location == "body" and param.name in body:
            args[param.python] = body[param.name]
        elif param.location == "path":
            args[param.python] = (ids or {}).get(param.name) or params.get(param.name) or str(uuid.uuid4())
        elif param.location != "body" and param.name in params:
            args[param.python] = params[param.name]
    return args


async def read(result: Any) -> Any:
    """What a success holds, read to the end (a stream's events, a raw response's parsed value)."""
    parsed = getattr(result, "parsed", result)
    if hasattr(parsed, "__aiter__"):
        return [event async for event in parsed]
    if hasattr(parsed, "__iter__") and type(parsed).__name__.endswith("Stream"):
        return list(parsed)
    return parsed


def created_ids(value: Any) -> list[str]:
    """The `id` a success answered (a model, a dict, or the first of a list)."""
    plain = value.to_dict() if hasattr(value, "to_dict") else value
    plain = plain[0] if isinstance(plain, list) and plain else plain
    found = plain.get("id") if isinstance(plain, dict) else None
    return [str(found)] if found else []


async def call(client: Any, name: str, flavour: str, ids: dict[str, str] | None) -> tuple[bool, Any]:
    """(succeeded, what it answered): a documented error status is an answer too."""
    op = OPERATIONS[name]
    resource, method = name.split(".")
    owner = getattr(client, resource)
    target = getattr(owner.with_raw_response if flavour == "raw" else owner, method)
    try:
        result = target(**arguments(op, ids))
        if asyncio.iscoroutine(result):
            result = await result
        value = await read(result)
    except APIStatusError as exc:
        status = exc.status_code
    else:
        status = None
    if status is not None:
        assert status in op.replies, f"{name}: answered {status}, which it does not document"
        return False, status
    assert value is not None, f"{name}: a documented success came back as None"
    if flavour == "raw":
        assert result.status_code == op.success, (name, result.status_code)
    return True, value


async def call_all(client: Any, flavour: str) -> None:
    """Every operation once; then each that answered an error again, its path parameters naming what
    the successes created (a parent and a child id alike), until it succeeds."""
    made: list[str] = []
    failed = []
    for name in sorted(OPERATIONS):
        ok, value = await call(client, name, flavour, None)
        made += created_ids(value) if ok else []
        if not ok:
            failed.append(name)
    never = []
    for name in sorted(failed, key=lambda name: OPERATIONS[name].method == "DELETE"):  # deletes last
        names = [p.name for p in OPERATIONS[name].params if p.location == "path"]
        answers = []
        for combo in itertools.product(made, repeat=len(names)):
            ok, value = await call(client, name, flavour, dict(zip(names, combo, strict=True)))
            if ok:
                made += created_ids(value)
                break
            answers.append(value)
        print(name, "ok" if ok else f"never found: {sorted(set(answers))}")
        never += [] if ok else [name]
    assert not never, f"no id any success answered made these succeed: {never}"


def main(flavour: str) -> None:
    with local_server() as server:
        options = {c.option: server.secret_key for c in CREDENTIALS}
        options |= {c.user_option: "user" for c in CREDENTIALS if c.user_option}
        if flavour == "async":

            async def run() -> None:
                async with AsyncRaia(base_url=server.base_url, max_retries=0, **options) as aclient:
                    await call_all(aclient, flavour)

            asyncio.run(run())
        else:
            with Raia(base_url=server.base_url, max_retries=0, **options) as client:
                asyncio.run(call_all(client, flavour))
    print("ok")


if __name__ == "__main__":
    main(sys.argv[1])

"""What tools/codegen/proof/prover.py checks once the package being proved is importable: it imports, reads its spec
back, builds both clients, and every schema has its class and every operation its description, once.

Each check raises ProofFailed with one line naming what failed.
"""

from __future__ import annotations

import asyncio
import importlib
import json
import pkgutil
import typing
from pathlib import Path
from typing import Any


class ProofFailed(Exception):
    """The generated package does not hold; the message says where."""


def check(package: Path, spec: Path, classes: list[str], routes: list[list[str]]) -> None:
    """`package` is first on sys.path; `classes` and `routes` are what the corrected spec `spec` names."""
    import raia_agent_api

    if not str(raia_agent_api.__file__).startswith(str(package)):
        raise ProofFailed(f"imported {raia_agent_api.__file__}, not the package being proved")
    for info in pkgutil.walk_packages(raia_agent_api.__path__, "raia_agent_api."):
        importlib.import_module(info.name)
    from raia_agent_api._spec import corrected_spec

    if corrected_spec() != json.loads(spec.read_text(encoding="utf-8")):
        raise ProofFailed("_spec.py does not read back as the corrected spec")
    _models(classes)
    _operations(routes)
    _method_hints()


def _models(classes: list[str]) -> None:
    from raia_agent_api import models

    names = list(getattr(models, "__all__", []))
    for cls in classes:  # models load on first use: every one is loaded before any hint is read
        if names.count(cls) != 1 or not hasattr(models, cls):
            raise ProofFailed(f"models has class {cls!r} {names.count(cls)} times, not once")
    for cls in names:
        getattr(models, cls)
    for cls in classes:
        if isinstance(getattr(models, cls), type):
            typing.get_type_hints(getattr(models, cls), localns=vars(models))


def _operations(routes: list[list[str]]) -> None:
    """The spec's routes, each described once in its resource's module and indexed once under its name."""
    from raia_agent_api.resources._operations import OPERATIONS

    import raia_runtime

    found = sorted([op.method, op.path] for op in OPERATIONS.values())
    if found != sorted(routes):
        raise ProofFailed(f"operations {found} are not the spec's {sorted(routes)}")
    described: dict[int, tuple[Any, str]] = {}
    resources = importlib.import_module("raia_agent_api.resources")
    for info in pkgutil.iter_modules(resources.__path__):
        if info.name.startswith("_ops_"):
            holder = importlib.import_module(f"raia_agent_api.resources.{info.name}")
            for value in vars(holder).values():
                if isinstance(value, raia_runtime.Operation):
                    described[id(value)] = (value, info.name)
    for name in OPERATIONS:
        op, where = described.pop(id(OPERATIONS[name]), (None, ""))
        if op is None or op.name != name or where != OPERATIONS.module_of(name):
            raise ProofFailed(
                f"the index's {name!r} is not a description {OPERATIONS.module_of(name)} holds under that name"
            )
    if described:
        raise ProofFailed(
            f"{sorted(op.name for op, _ in described.values())} are described but not in the index"
        )


def _method_hints() -> None:
    import contextlib

    from raia_agent_api import models
    from raia_agent_api.resources import params
    from raia_agent_api.resources._operations import OPERATIONS

    import raia_runtime
    from raia_agent import AsyncRaia, Raia

    # what the resource modules import only while type checking
    local = {"_models": models, "_params": params, **vars(raia_runtime), **vars(contextlib)}
    sync = Raia(secret_key="proof", base_url="http://127.0.0.1:9")
    asynchronous = AsyncRaia(secret_key="proof", base_url="http://127.0.0.1:9")
    for name in OPERATIONS:
        resource, method = name.split(".")
        for client in (sync, asynchronous):
            held = getattr(client, resource)
            for holder in (held, held.with_raw_response, held.with_streaming_response):
                typing.get_type_hints(getattr(holder, method), localns=local)
    sync.close()
    asyncio.run(asynchronous.aclose())

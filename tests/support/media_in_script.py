"""Calls of a package generated from tests/specs/vendor_media_in, run in a child process (the package
is not the installed one): `python _media_in_script.py SCENARIO FLAVOUR`, printing JSON.

The form operations are found by their description (multipart, urlencoded), their arguments built
from the body schema the description holds, so nothing here names an operation or a field.
"""

from __future__ import annotations

import asyncio
import base64
import io
import json
import logging
import os
import sys
from pathlib import Path
from typing import Any

import httpx
from raia_agent_api.resources._operations import OPERATIONS

from raia_agent import AsyncRaia, Raia
from raia_agent._multipart import MAX_FILE_BYTES
from raia_agent.testing import local_server

ID = "0b9d5d6c-3f0e-4d3a-9c8e-2f6a1e4b7c10"
MARKER = b"\x00\xffSECRET-FILE-BYTES-7f3a\r\n--not-a-boundary\r\n"
FILENAME, CONTENT_TYPE = "report.pdf", "application/pdf"
# A filename that would close the Content-Disposition quote and start headers and the body of its own.
HOSTILE_FILENAME = "x.pdf\"; filename*=UTF-8''evil.sh\r\nContent-Type: text/html\r\n\r\n<script>"
TEXT = "https://hooks.example/in?a=1&b=\u00e9 x"
MULTIPART, FORM = "multipart/form-data", "application/x-www-form-urlencoded"


def find(media: str | None) -> str:
    """The operation whose body is `media` (None: one offering JSON and a form, which sends JSON)."""
    for name in OPERATIONS:
        op = OPERATIONS[name]
        if media is None and op.body_media is None and op.body_schema is not None:
            return name
        if op.body_media is not None and op.body_media.type == media:
            return name
    raise SystemExit(f"no operation with a {media} body")


def value(schema: dict[str, Any]) -> Any:
    if schema.get("enum"):
        return schema["enum"][-1]
    if schema.get("format") == "uuid":
        return ID
    return {"integer": 3, "number": 2.5, "boolean": True}.get(str(schema.get("type")), TEXT)


def resolved(schema: dict[str, Any] | None) -> dict[str, Any]:
    """A description's schema with its top-level $ref (into its own $defs) followed."""
    schema = schema or {}
    found: dict[str, Any] = schema.get("$defs", {}).get(schema.get("$ref", "").rpartition("/")[2], schema)
    return found


def args_for(name: str, file: Any = None) -> dict[str, Any]:
    op = OPERATIONS[name]
    properties = resolved(op.body_schema).get("properties") or {}
    files = op.body_media.files if op.body_media is not None else ()
    out: dict[str, Any] = {}
    for param in op.params:
        if param.location == "path":
            out[param.python] = ID
        elif param.name in files:
            out[param.python] = file
        elif param.location == "body":
            out[param.python] = value(properties.get(param.name, {}))
    return out


def call(client: Any, name: str, args: dict[str, Any], raw: bool = False) -> Any:
    resource, _, method = name.partition(".")
    holder = getattr(client, resource)
    return getattr(holder.with_raw_response if raw else holder, method)(**args)


def plain(parsed: Any) -> dict[str, Any]:
    return {k: v for k, v in parsed.to_dict().items()}


def server(flavour: str) -> dict[str, Any]:
    """Each form operation against local_server(); the answers and the file the server stored."""
    upload, form = find(MULTIPART), find(FORM)
    out: dict[str, Any] = {}
    with local_server() as s:
        options = {"secret_key": s.secret_key, "base_url": s.base_url}
        given = args_for(upload, (FILENAME, MARKER, CONTENT_TYPE))
        if flavour == "async":

            async def both() -> tuple[Any, Any]:
                async with AsyncRaia(**options) as client:
                    return await call(client, upload, given), await call(client, form, args_for(form))

            answers = asyncio.run(both())
        else:
            with Raia(**options) as client:
                raw = flavour == "raw"
                answers = (call(client, upload, given, raw), call(client, form, args_for(form), raw))
                if raw:
                    out["statuses"] = [a.status_code for a in answers]
                    out["successes"] = [OPERATIONS[upload].success, OPERATIONS[form].success]
                    answers = tuple(a.parse() for a in answers)
        out["upload"], out["form"] = plain(answers[0]), plain(answers[1])
        stored = s.store.file(str(answers[0].to_dict()["id"]))
        if stored is not None:
            out["stored"] = [stored.filename, stored.content_type, base64.b64encode(stored.content).decode()]
    # the body's fields only: what the answer echoes of the path is another matter
    in_path = {p.python for p in OPERATIONS[form].params if p.location == "path"}
    out["sent"] = {"form": {k: v for k, v in args_for(form).items() if k not in in_path}}
    return out


def recorder(answers: list[httpx.Response]) -> tuple[list[dict[str, Any]], httpx.MockTransport]:
    seen: list[dict[str, Any]] = []

    def reply(request: httpx.Request) -> httpx.Response:
        body = request.read()
        seen.append(
            {"type": request.headers.get("content-type"), "body": base64.b64encode(body).decode(),
             "length": request.headers.get("content-length")}
        )  # fmt: skip
        return answers.pop(0) if len(answers) > 1 else answers[0]

    return seen, httpx.MockTransport(reply)


def answer(name: str, status: int | None = None, headers: dict[str, str] | None = None) -> httpx.Response:
    op = OPERATIONS[name]
    properties = resolved(op.replies[op.success].schema).get("properties") or {}
    body = {k: value(p) for k, p in properties.items()}
    return httpx.Response(status or op.success, json=body, headers=headers)


def run(flavour: str, name: str, args: dict[str, Any], answers: list[httpx.Response], **options: Any) -> Any:
    seen, transport = recorder(answers)
    base = {"secret_key": "k", "base_url": "http://127.0.0.1:9", **options}
    if flavour == "async":

        async def go() -> None:
            async with AsyncRaia(**base, http_client=httpx.AsyncClient(transport=transport)) as client:
                await call(client, name, args)

        asyncio.run(go())
    else:
        with Raia(**base, http_client=httpx.Client(transport=transport)) as client:
            call(client, name, args, raw=flavour == "raw")
    return seen


def wire(flavour: str) -> dict[str, Any]:
    """What reaches the wire for each way of giving a file, for the urlencoded form, and for JSON."""
    upload, form = find(MULTIPART), find(FORM)
    path = Path(sys.argv[3]) / FILENAME
    path.write_bytes(MARKER)
    inputs = {
        "bytes": MARKER,
        "file": io.BytesIO(MARKER),
        "path": path,
        "pair": ("renamed.bin", MARKER),
        "triple": (FILENAME, path, CONTENT_TYPE),
        "hostile": (HOSTILE_FILENAME, MARKER, CONTENT_TYPE),
    }
    out: dict[str, Any] = {}
    for label, file in inputs.items():
        out[label] = run(flavour, upload, args_for(upload, file), [answer(upload)])
    out["form"] = run(flavour, form, args_for(form), [answer(form)])
    out["form_sent"] = args_for(form)
    json_op = find(None)
    out["json"] = run(flavour, json_op, args_for(json_op), [answer(json_op)])
    return out


def retry(flavour: str) -> dict[str, Any]:
    """A 429 then success, for a file object and a path: every attempt's body."""
    upload = find(MULTIPART)
    path = Path(sys.argv[3]) / FILENAME
    path.write_bytes(MARKER * 1000)
    out = {}
    for label, file in {"file": io.BytesIO(MARKER * 1000), "path": path}.items():
        answers = [answer(upload, 429, {"retry-after": "0"}), answer(upload)]
        out[label] = run(flavour, upload, args_for(upload, file), answers, max_retries=2)
    return out


def refused(flavour: str) -> dict[str, Any]:
    """Files that cannot be read: the error, and how many requests were sent."""
    upload = find(MULTIPART)
    folder = Path(sys.argv[3])
    text = (folder / "notes.txt").open("w+", encoding="utf-8")
    text.write("some notes\n" * 1000)
    text.seek(0)
    cases = {
        "missing": folder / "no-such-file.pdf",
        "directory": folder,
        "str": str(folder / FILENAME),
        "text": text,
        "none": None,
        "number": 42,
        "fifo": folder / "a-fifo",
        "device": Path(os.devnull).with_name("zero"),
        "sparse": folder / "huge.bin",
    }
    os.mkfifo(folder / "a-fifo")  # no writer ever opens it: reading would wait for ever
    with (folder / "huge.bin").open("wb") as huge:
        huge.truncate(MAX_FILE_BYTES + 1)  # sparse: no block is written
    out = {}
    for label, file in cases.items():
        try:
            seen = run(flavour, upload, args_for(upload, file), [answer(upload)])
            out[label] = {"error": None, "requests": len(seen)}
        except (TypeError, ValueError) as exc:
            out[label] = {"error": type(exc).__name__, "message": str(exc)}
    out["text"]["position"] = text.tell()  # a refused file is not read
    text.close()
    return out


def logs(flavour: str) -> dict[str, Any]:
    """Debug logs of an upload, and an error answer's message: whether the file's bytes show in either."""
    upload = find(MULTIPART)
    records: list[str] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record.getMessage())

    logger = logging.getLogger("raia_agent")
    logger.addHandler(Keep())
    logger.setLevel(logging.DEBUG)
    run(flavour, upload, args_for(upload, MARKER), [answer(upload)])
    error = ""
    try:
        run(flavour, upload, args_for(upload, MARKER), [httpx.Response(400, json={"message": ["bad"]})])
    except Exception as exc:
        error = f"{exc!r} {exc}"
    marker = MARKER.decode("latin-1")
    return {
        "records": len(records),
        "leaked": [r for r in records if "SECRET-FILE-BYTES" in r or marker in r],
        "error": error,
        "error_leaks": "SECRET-FILE-BYTES" in error,
    }


def cli(flavour: str) -> dict[str, Any]:
    """`raia-agent <resource> <method>` for each form operation against local_server(), a file by path."""
    import subprocess

    folder = Path(sys.argv[3])
    path = folder / FILENAME
    path.write_bytes(MARKER)
    out: dict[str, Any] = {}
    with local_server() as s:
        env = {**os.environ, "RAIA_AGENT_SECRET_KEY": s.secret_key, "RAIA_AGENT_BASE_URL": s.base_url}
        for label, media, file in (
            ("upload", MULTIPART, path),
            ("form", FORM, None),
            ("missing", MULTIPART, folder / "gone.pdf"),
        ):
            name = find(media)
            options = []
            for python, given in args_for(name, file).items():
                options += [f"--{python.replace('_', '-')}", str(given)]
            before = s.requests_received
            resource, _, method = name.partition(".")
            command = [
                sys.executable,
                "-c",
                "from raia_agent._cli import main; main()",
                resource,
                method.replace("_", "-"),
            ]
            done = subprocess.run(
                [*command, *options, "--json"], env=env, capture_output=True, text=True, timeout=120
            )
            out[label] = {"rc": done.returncode, "stdout": done.stdout, "stderr": done.stderr,
                          "requests": s.requests_received - before, "sent": args_for(name)}  # fmt: skip
            if label == "upload" and done.returncode == 0:
                stored = s.store.file(str(json.loads(done.stdout)["id"]))
                out["stored"] = None if stored is None else base64.b64encode(stored.content).decode()
    return out


if __name__ == "__main__":
    os.environ.pop("RAIA_AGENT_LOG", None)
    scenario, flavour = sys.argv[1], sys.argv[2]
    print(
        json.dumps(
            {"server": server, "wire": wire, "retry": retry, "refused": refused, "logs": logs, "cli": cli}[
                scenario
            ](flavour)
        )
    )

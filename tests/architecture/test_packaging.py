"""The built wheel: the core install is the client alone, the extras add the CLI and the test server."""

from __future__ import annotations

import email.parser
import os
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from raia_agent.testing import local_server

ROOT = Path(__file__).resolve().parents[2]
OPTIONAL = ("click", "rich", "starlette", "uvicorn")

# One call each way through the installed package; key and URL come from the environment.
CALL = textwrap.dedent(
    """
    import asyncio, uuid
    from raia_agent import AsyncRaia, Raia

    args = dict(user_id=uuid.uuid4(), vote_type="up", question="Installed?")
    with Raia() as client:
        fb = client.feedback.create_or_update(conversation_message_id=uuid.uuid4(), **args)

    async def main() -> str:
        async with AsyncRaia() as client:
            again = await client.feedback.create_or_update(conversation_message_id=uuid.uuid4(), **args)
        return again.question

    print(fb.vote_type, asyncio.run(main()))
    """
)

MISSING_TESTING = textwrap.dedent(
    """
    try:
        import raia_agent.testing
    except ImportError as exc:
        print(exc)
    else:
        raise SystemExit("raia_agent.testing imported without its extra")
    """
)

PRESENCE = (
    "import importlib.util, sys; print(*(importlib.util.find_spec(m) is not None for m in sys.argv[1:]))"
)


def run(cmd: list[str], env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        cmd, capture_output=True, text=True, check=False, env={**os.environ, **(env or {})}, timeout=240
    )


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The project's wheel, built once for this module."""
    dist = tmp_path_factory.mktemp("dist")
    built = run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(dist), str(ROOT)])
    assert built.returncode == 0, built.stderr
    (found,) = dist.glob("raia_agent-*.whl")
    return found


def fresh_venv(where: Path, requirement: str) -> Path:
    """A new virtualenv with only `requirement` and its dependencies; returns its bin directory."""
    # No pip inside the venv: the test's own pip installs into it (--python), which saves
    # bootstrapping pip each time; its cache keeps repeated runs fast.
    created = run([sys.executable, "-m", "venv", "--without-pip", str(where)])
    assert created.returncode == 0, created.stderr
    python = where / "bin" / "python"
    installed = run([sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet", requirement])
    assert installed.returncode == 0, installed.stderr
    return where / "bin"


@pytest.fixture(scope="module")
def plain(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bin directory of a virtualenv with the wheel installed without extras."""
    return fresh_venv(tmp_path_factory.mktemp("plain") / "venv", str(wheel))


def present(bin_dir: Path) -> dict[str, bool]:
    result = run([str(bin_dir / "python"), "-c", PRESENCE, *OPTIONAL])
    assert result.returncode == 0, result.stderr
    return dict(zip(OPTIONAL, (word == "True" for word in result.stdout.split()), strict=True))


def test_plain_install_is_the_client_alone_and_works(plain: Path) -> None:
    """Without extras: no click, rich, starlette or uvicorn, and Raia and AsyncRaia call a server."""
    assert present(plain) == dict.fromkeys(OPTIONAL, False)
    with local_server() as server:
        env = {"RAIA_AGENT_SECRET_KEY": server.secret_key, "RAIA_AGENT_BASE_URL": server.base_url}
        called = run([str(plain / "python"), "-c", CALL], env)
        assert called.returncode == 0, called.stderr
        assert called.stdout.split() == ["up", "Installed?"]
        assert server.store.count() == 2


# What a plain install's AsyncRaia sends through, and when aiohttp is first imported.
ASYNC_POOL = textwrap.dedent(
    """
    import sys
    import raia_agent
    imported = "aiohttp" in sys.modules
    import httpx_aiohttp
    client = raia_agent.AsyncRaia(secret_key="sk-plain")
    print(imported, isinstance(client._http._transport._inner, httpx_aiohttp.AiohttpTransport))
    """
)


def test_plain_install_requires_aiohttp_and_pools_async_calls_over_it(wheel: Path, plain: Path) -> None:
    """The wheel requires aiohttp and httpx-aiohttp with no extra (`[aiohttp]` stays, empty, so old
    install commands work), and a plain install's AsyncRaia pools over them; `import raia_agent` does not."""
    with zipfile.ZipFile(wheel) as archive:
        (name,) = [n for n in archive.namelist() if n.endswith(".dist-info/METADATA")]
        metadata = email.parser.Parser().parsestr(archive.read(name).decode())
    required = [Requirement(r) for r in metadata.get_all("Requires-Dist", [])]
    unconditional = {canonicalize_name(r.name) for r in required if r.marker is None}
    assert {"aiohttp", "httpx-aiohttp"} <= unconditional
    assert "aiohttp" in metadata.get_all("Provides-Extra", [])
    assert not [r for r in required if r.marker is not None and r.marker.evaluate({"extra": "aiohttp"})]
    pooled = run([str(plain / "python"), "-c", ASYNC_POOL])
    assert pooled.returncode == 0, pooled.stderr
    assert pooled.stdout.split() == ["False", "True"]


def test_plain_install_command_names_the_cli_extra(plain: Path) -> None:
    """Without the cli extra, `raia-agent` exits non-zero with one line saying what to install."""
    command = run([str(plain / "raia-agent"), "--help"])
    lines = command.stderr.strip().splitlines()
    assert command.returncode != 0
    assert len(lines) == 1, f"expected one line, got:\n{command.stderr}"
    assert "pip install 'raia-agent[cli]'" in lines[0]


def test_plain_install_testing_import_names_the_testing_extra(plain: Path) -> None:
    """Without the testing extra, importing raia_agent.testing raises an ImportError naming it."""
    testing = run([str(plain / "python"), "-c", MISSING_TESTING])
    assert testing.returncode == 0, testing.stderr
    assert "raia-agent[testing]" in testing.stdout


def test_extras_install_the_command_line_and_the_test_server(wheel: Path, tmp_path: Path) -> None:
    """With [cli,testing]: click, rich, starlette and uvicorn are there, the command and the server work."""
    bin_dir = fresh_venv(tmp_path / "full", f"{wheel}[cli,testing]")
    assert present(bin_dir) == dict.fromkeys(OPTIONAL, True)
    command = run([str(bin_dir / "raia-agent"), "--help"])
    assert command.returncode == 0, command.stderr
    assert "feedback" in command.stdout
    served = run([str(bin_dir / "python"), "-c", "from raia_agent.testing import local_server\n"
                  "with local_server() as s: print(s.store.count())"])  # fmt: skip
    assert served.returncode == 0, served.stderr
    assert served.stdout.strip() == "0"


def test_the_wheel_ships_the_runtime_the_generated_package_imports(wheel: Path) -> None:
    """raia_runtime is in the wheel, typed, with every module of src/raia_runtime; no copy of it is
    generated into raia_agent_api."""
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
    source = ROOT / "src" / "raia_runtime"
    assert {f"raia_runtime/{p.name}" for p in source.iterdir() if p.suffix in (".py", ".typed")} <= names
    assert not {f"raia_agent_api/_{name}.py" for name in ("surface", "media", "pages", "paging")} & names

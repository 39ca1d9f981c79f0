"""Bench rows for start-up: `raia-agent --help`, and `import raia_agent` in a plain install.

`import httpx` is the baseline for both: it is what any client of this API has to load.
The import ratio is measured in a fresh virtualenv holding the wheel without extras, as a
service that only calls the API installs it; in the development venv click and rich are
present and make `import httpx` itself load httpx's command line.
"""

from __future__ import annotations

import functools
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tools.bench import Row, interleaved

ROOT = Path(__file__).resolve().parent.parent
RUNS = 11


def wall(cmd: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def medians_of(commands: dict[str, list[str]]) -> dict[str, float]:
    samples = interleaved({name: functools.partial(wall, cmd) for name, cmd in commands.items()}, rounds=RUNS)
    return {name: statistics.median(values) for name, values in samples.items()}


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
        cold = medians_of(
            {
                "start": [str(plain), "-c", "pass"],
                "httpx": [str(plain), "-c", "import httpx"],
                "raia_agent": [str(plain), "-c", "import raia_agent"],
            }
        )
        sizes = f"plain install: {footprint(plain)}; with [cli,testing]: {footprint(full)}"
        modules = f"modules loaded: import httpx {module_count(plain, 'httpx')}, import raia_agent {module_count(plain, 'raia_agent')}"
    rows = [
        ("`raia-agent --help` / `python -c 'import httpx'`", f"{dev['help'] / dev['httpx']:.2f}x", "<= 1.3x"),
        ("import raia_agent / import httpx, plain install, minus interpreter start",
         f"{(cold['raia_agent'] - cold['start']) / (cold['httpx'] - cold['start']):.2f}x", "<= 1.3x"),
    ]  # fmt: skip
    note = (
        f"start-up: raia-agent --help {dev['help'] * 1e3:.0f} ms, python -c 'import httpx' {dev['httpx'] * 1e3:.0f} ms "
        f"(dev venv); plain install: interpreter {cold['start'] * 1e3:.0f} ms, import httpx "
        f"{cold['httpx'] * 1e3:.0f} ms, import raia_agent {cold['raia_agent'] * 1e3:.0f} ms; {modules}\n{sizes}"
    )
    return rows, note

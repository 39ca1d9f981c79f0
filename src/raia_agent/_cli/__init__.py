"""The `raia-agent` command: send feedback, import files of it, run a local server.

The command line needs the `cli` extra (click, rich). Without it, the console script still starts
and says in one line what to install, instead of a traceback.
"""

from __future__ import annotations

import importlib.util
import sys
from typing import Any

__all__ = ["INSTALL_HINT", "main"]

INSTALL_HINT = "raia-agent: the command line needs its extra: pip install 'raia-agent[cli]'"


def _missing_extra(*_args: Any, **_kwargs: Any) -> int:
    sys.stderr.write(INSTALL_HINT + "\n")
    return 1  # the console script passes this to sys.exit


try:
    import click  # noqa: F401  # only probing: the commands import it themselves
except ModuleNotFoundError as exc:
    if exc.name != "click":
        raise
    main: Any = _missing_extra
else:
    if importlib.util.find_spec("rich") is None:
        main = _missing_extra
    else:
        from ._main import main

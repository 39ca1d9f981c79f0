"""openapi-python-client's command line, with tools.pynames' rules for names it must not give.

python -m tools.generator generate --path SPEC --config CONFIG ...
"""

from __future__ import annotations

from openapi_python_client.cli import app

from tools import pynames

# The import above is what matters: it adds the model template's own names to the generator's
# reserved words before it runs. Named here so the reason is not an unused import.
assert pynames.MODEL_MEMBERS

if __name__ == "__main__":
    app(prog_name="openapi-python-client")

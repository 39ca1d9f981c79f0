"""A cheap stand-in for `make check` in the autopilot tests: fails unless generated_client/ was
generated from the openapi.json now in the working directory (its recorded digest matches)."""

import hashlib
import re
import sys
from pathlib import Path

recorded = Path("generated_client/raia_agent_api/_spec.py").read_text(encoding="utf-8")
found = re.search(r'UPSTREAM_SPEC_SHA256 = \(?\s*"([0-9a-f]{64})"', recorded)
actual = hashlib.sha256(Path("openapi.json").read_bytes()).hexdigest()
if found is None or found.group(1) != actual:
    sys.exit("generated_client/ was not generated from this openapi.json")
print("generated_client/ matches openapi.json")

"""make diff on servers and credentials: breaking only when the URL a default client talks to changes.

A server variable whose default gives the old URL is a new client option (`Raia(region=...)`), not a
move; its default pointing elsewhere is. Both start from the frozen spec (tests/support/diff_specs.py).
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import pytest

from raia_spec import default_server_url
from tests.support.diff_specs import Mutation, Spec, frozen, report_for
from tools.spec_update._changelog import entries

BASE_URL = default_server_url(frozen())
HOST = urlsplit(BASE_URL).netloc
FIRST, _, REST = HOST.partition(".")


def templated(default: str) -> Mutation:
    """A mutation giving the first server a `{region}` variable (the old first label, and an EU one)."""

    def mutate(s: Spec) -> None:
        s["servers"][0] = {
            "url": BASE_URL.replace(HOST, "{region}." + REST),
            "variables": {"region": {"default": default, "enum": [FIRST, FIRST + "-eu"]}},
        }

    return mutate


def test_a_server_variable_whose_default_keeps_the_url_is_not_breaking(tmp_path: Path) -> None:
    """Same default URL: not breaking, no "talks to another server" row, and the changelog adds the
    option instead of claiming a move."""
    report = report_for(tmp_path, templated(FIRST))
    assert not report.breaking, [c for c in report.changes if c.level == "breaking"]
    assert all(row.rule != "base-url-host" for row in report.behaviour)
    assert any(row.rule == "server-variable-added" and "region" in row.message for row in report.behaviour)
    assert all(c.level == "info" for c in report.changes if c.location.startswith("servers"))
    lines = entries(report.as_json())
    assert not any("another server" in line for kind in lines.values() for line in kind)
    assert any("region" in line for line in lines["Added"])


@pytest.mark.parametrize("moved", ["variable default", "host"])
def test_a_change_of_the_default_url_is_breaking(tmp_path: Path, moved: str) -> None:
    """The default client talking to another host (a variable's default, or the URL itself) is breaking."""

    def move_host(s: Spec) -> None:
        s["servers"][0]["url"] = BASE_URL.replace(HOST, "moved." + HOST)

    mutate: Mutation = templated(FIRST + "-eu") if moved == "variable default" else move_host
    report = report_for(tmp_path, mutate)
    assert report.breaking
    host = [row for row in report.behaviour if row.rule == "base-url-host"]
    assert len(host) == 1 and "another server" in host[0].message


def test_a_new_security_scheme_is_listed_as_the_client_option_it_gives(tmp_path: Path) -> None:
    """A bearer scheme offered beside the key: a behaviour row and a changelog line name `bearer_token`."""

    def add_bearer(s: Spec) -> None:
        s["components"]["securitySchemes"]["BearerAuth"] = {"type": "http", "scheme": "bearer"}
        s["security"] = [*(s.get("security") or []), {"BearerAuth": []}]

    report = report_for(tmp_path, add_bearer)
    added = [row.message for row in report.behaviour if row.rule == "credential-option-added"]
    assert len(added) == 1 and "`bearer_token`" in added[0] and "RAIA_AGENT_BEARER_TOKEN" in added[0]
    assert any("bearer_token" in line for line in entries(report.as_json())["Added"])

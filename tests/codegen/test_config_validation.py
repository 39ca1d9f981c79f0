"""Issue 25 item 8: spec/generator.yaml and the overlay are checked against a schema before any use.

Each test starts from the frozen generator config or overlay (tests/specs/) with one mistake in it.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.support.frozen import (
    FROZEN_GENERATOR,
    FROZEN_OVERLAY,
    FROZEN_SPEC,
    frozen_generator,
    frozen_overlay_with,
)
from tools.codegen.config import ConfigError, load_generator
from tools.codegen.naming import Naming
from tools.codegen.overlay import OverlayError, apply_checked, load_overlay

ROOT = Path(__file__).resolve().parents[2]


def generator_with(tmp_path: Path, change: Any) -> Path:
    config = frozen_generator()
    change(config)
    path = tmp_path / "generator.yaml"
    path.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    return path


def rename(section: dict[str, Any], old: str, new: str) -> None:
    section[new] = section.pop(old)


def test_the_project_s_configs_pass_their_schemas() -> None:
    """The live and frozen generator configs and overlays are valid, so every failure below is the mistake's."""
    for path in (ROOT / "spec" / "generator.yaml", FROZEN_GENERATOR):
        assert load_generator(path)
    for path in (ROOT / "spec" / "overlay.yaml", FROZEN_OVERLAY):
        assert load_overlay(path)["actions"]


@pytest.mark.parametrize(
    ("where", "wrong", "right"),
    [
        ((), "retry_safe", "retry_safes"),
        ((), "exports", "exprots"),
        ((), "literal_enums", "literal_enum"),
        (("naming",), "resources", "resource"),
        (("naming", "rules"), "strip_prefixes", "strip_prefix"),
        (("server",), "upsert_keys", "upsert_key"),
    ],
)
def test_a_misspelt_key_fails_naming_it_and_the_nearest_known_key(
    tmp_path: Path, where: tuple[str, ...], wrong: str, right: str
) -> None:
    """`retry_safes:` (the upsert silently stopped being retried), `exprots:` (VoteType vanished) and the
    like fail in one line naming the key, where it is, and the key meant."""

    def misspell(config: dict[str, Any]) -> None:
        section = config
        for key in where:
            section = section[key]
        rename(section, wrong, right)

    path = generator_with(tmp_path, misspell)
    with pytest.raises(ConfigError) as info:
        load_generator(path)
    message = str(info.value)
    assert "\n" not in message
    assert f"{'.'.join(where) or 'the top level'}: unknown key {right!r}: did you mean {wrong}?" in message


def test_a_misspelt_key_stops_generation_before_anything_is_written(tmp_path: Path) -> None:
    """tools.codegen.naming (generate.sh's first reader of the config) exits with the one line, no traceback."""
    path = generator_with(tmp_path, lambda c: rename(c, "retry_safe", "retry_safes"))
    out = tmp_path / "out"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "tools.codegen",
            "names",
            str(FROZEN_SPEC),
            str(path),
            str(out / "c.yaml"),
            str(out / "s.json"),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert result.stderr.strip() == (
        f"naming: {path}: the top level: unknown key 'retry_safes': did you mean retry_safe?"
    )
    assert not out.exists()


@pytest.mark.parametrize(
    ("change", "named"),
    [
        (
            lambda c: c["naming"].update(max_name_length="many"),
            "naming.max_name_length: 'many' is not of type",
        ),
        (lambda c: c.update(retry_safe="POST /x"), "retry_safe: 'POST /x' is not of type"),
        (lambda c: c["server"]["upsert_keys"].update({"POST /x": "id"}), "server.upsert_keys.POST /x: 'id'"),
        (lambda c: c.update(literal_enums="yes"), "literal_enums: 'yes' is not of type 'boolean'"),
    ],
)
def test_a_value_of_the_wrong_type_fails_naming_its_key(tmp_path: Path, change: Any, named: str) -> None:
    """A list where a map belongs, a word where a number belongs: one line naming the key path."""
    with pytest.raises(ConfigError) as info:
        load_generator(generator_with(tmp_path, change))
    assert named in str(info.value)


def test_a_yaml_alias_bomb_in_the_config_is_refused(tmp_path: Path) -> None:
    """The config can come from a fork's pull request (make diff): aliases are refused before expanding."""
    path = tmp_path / "generator.yaml"
    path.write_text("a: &a [x, x]\nb: &b [*a, *a]\nnaming: {resources: {c: *b}}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="YAML aliases"):
        Naming.load(path)


def test_a_misspelt_overlay_key_names_the_nearest(tmp_path: Path) -> None:
    """An action's `updates:` (for `update:`) used to pass or fail on the schema's first error only."""
    action = {"target": "$.info", "description": "typo", "updates": {"x-a": 1}}
    path = frozen_overlay_with([action], tmp_path / "overlay.yaml")
    number = len(yaml.safe_load(path.read_text(encoding="utf-8"))["actions"])
    with pytest.raises(OverlayError) as info:
        load_overlay(path)
    assert f"actions[{number - 1}]: unknown key 'updates': did you mean update?" in str(info.value)


@pytest.mark.parametrize(
    ("target", "reason"),
    [
        ("$..*..*", "cannot be applied"),
        ("$.[", "not a JSONPath"),
        ("$.paths[?(@.x == ", "not a JSONPath"),
    ],
)
def test_an_overlay_target_the_engine_cannot_take_is_one_line_naming_the_action(
    tmp_path: Path, target: str, reason: str
) -> None:
    """`$..*..*` gave a TypeError traceback from oas-patch, `$.[` a parser traceback: now OverlayError naming
    the action, and tools.codegen.overlay exits with that one line."""
    path = frozen_overlay_with([{"target": target, "update": {"x-a": 1}}], tmp_path / "overlay.yaml")
    number = len(yaml.safe_load(path.read_text(encoding="utf-8"))["actions"])
    spec = json.loads(FROZEN_SPEC.read_text(encoding="utf-8"))
    with pytest.raises(OverlayError, match="^" + re.escape(f"action {number} ({target!r}): {reason}")):
        apply_checked(spec, load_overlay(path))
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "tools.codegen",
            "overlay",
            str(FROZEN_SPEC),
            str(path),
            str(tmp_path / "out.json"),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1
    [line] = result.stderr.splitlines()
    assert line.startswith(f"error: action {number} ") and reason in line

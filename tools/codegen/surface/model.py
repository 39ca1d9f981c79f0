"""What the surface writer knows of each operation, built from the spec (build.py) and written out
as the generated resources (resources.py, operations.py, params.py)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tools.codegen.surface.annotations import Annotations

Form = tuple[str, tuple[str, ...], tuple[str, ...]]  # media type, file fields, required files


class SurfaceError(Exception):
    """The spec has something the surface cannot express; the message names the operation."""


@dataclass
class Argument:
    python: str
    name: str
    location: str
    annotation: str
    required: bool
    description: str
    deprecated: bool = False
    send_null: bool = False  # nullable: None goes out as null; an optional one is left out by NOT_GIVEN
    default: str | None = None  # the declared default, as a Python literal


@dataclass
class OperationSpec:
    resource: str
    method_name: str
    constant: str
    http_method: str
    path: str
    summary: str
    description: str
    arguments: list[Argument]
    params_schema: dict[str, Any] | None
    body_schema: dict[str, Any] | None
    body_required: bool
    success: int
    returns: str
    replies: dict[int, tuple[dict[str, Any] | None, str | None, bool]] = field(default_factory=dict)
    idempotent: bool = True
    deprecated: bool = False
    pagination: dict[str, str | None] | None = None
    """raia_runtime.paging's description, in Python names; the method then returns a page of `page_item`."""
    page_item: str = "Any"
    body_media: Form | None = None
    """A form body: its media type, its file fields and the required ones (wire names); None for JSON."""
    page_fields: tuple[tuple[str, str, bool], ...] = ()
    """The success Reply's `fields`: set for a page whose schema is inline (see raia_runtime.Reply)."""
    media: dict[int, tuple[str, str]] = field(default_factory=dict)
    """status -> (media type, kind: json, binary, text or events), as tools/media_types reads it."""
    event: str = "Any"
    """For a success of kind events: the annotation of each event's `.json()`."""
    security: tuple[tuple[str, ...], ...] = ()
    """The schemes the call needs, one tuple per alternative; () when it needs none."""
    response_headers: tuple[tuple[str, str, str], ...] = ()
    """The success response's documented headers: (name, attribute, JSON type)."""


@dataclass
class Surface:
    base_url: str
    auth_headers: list[str]
    operations: list[OperationSpec]
    annotations: Annotations
    notes: list[str] = field(default_factory=list)
    """A line per argument renamed so as not to shadow a call option (naming_rules.unshadowed)."""
    options: list[str] = field(default_factory=list)
    """resources/_operations.py's lines on credentials and servers (tools/codegen/surface/auth.py)."""

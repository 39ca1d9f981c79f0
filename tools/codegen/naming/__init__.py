"""Every Python name the generated code gives: the rules (`rules`), what makes a name usable
(`pynames`), the checks of spec/generator.yaml's naming entries (`checks`), and `Naming`, which
applies them to a spec (`names`)."""

from tools.codegen.naming.checks import NamingError
from tools.codegen.naming.names import (
    Naming,
    check,
    operation_id,
    primary_tag,
    route,
    shadow_notes,
    snake_case,
)

__all__ = [
    "Naming",
    "NamingError",
    "check",
    "operation_id",
    "primary_tag",
    "route",
    "shadow_notes",
    "snake_case",
]

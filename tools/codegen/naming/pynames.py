"""Python names from spec text by openapi-python-client's own rules, so ours and its code agree.

The generator turns a schema name into a class with `ClassName` and a property into an attribute
with `PythonIdentifier`; the surface, the naming checks and `make diff` call the same functions
here instead of guessing. Importing this module also teaches the generator the names its model
template uses for itself (MODEL_MEMBERS): a property called `cls` or `to_dict` gets a `_` suffix,
as a builtin's name already does, instead of breaking `from_dict`. tools/codegen/generator.py runs the
generator with this module imported.
"""

from __future__ import annotations

import keyword
import re

from openapi_python_client import strings
from openapi_python_client.strings import ClassName, PythonIdentifier

# OpenAPI 3: "All the fixed fields declared above are objects that MUST use keys that match".
COMPONENT_KEY = re.compile(r"[a-zA-Z0-9._-]+")
FIELD_PREFIX = "field_"  # openapi-python-client's default; generator.yaml does not change it
# Locals, members and module-level names of the generator's model template (model.py.jinja, as
# spec/templates changes it, and property_templates/): an attribute named like one of them would
# shadow it inside from_dict/to_dict.
MODEL_MEMBERS = frozenset(
    {
        "additional_keys",
        "additional_properties",
        "cast",
        "cls",
        "d",
        "field_dict",
        "field_key_error",
        "files",
        "from_dict",
        "isoparse",
        "json",
        "prop",
        "prop_dict",
        "prop_name",
        "src_dict",
        "to_dict",
        "to_json",
        "to_multipart",
        "types",
    }
)
strings.RESERVED_WORDS.update(MODEL_MEMBERS)


def usable(name: str) -> bool:
    """An ASCII, public, non-keyword identifier (ASCII: Python folds other letters by NFKC)."""
    return name.isascii() and name.isidentifier() and not keyword.iskeyword(name) and not name.startswith("_")


def class_name(text: str) -> str:
    """The class the generator writes for a schema name (or a chosen class name)."""
    return str(ClassName(text, FIELD_PREFIX))


def override_key(schema_name: str) -> str:
    """The key under which the generator looks up a schema in class_overrides."""
    return str(ClassName(schema_name.rsplit("/", 1)[-1], FIELD_PREFIX))


def module_name(class_text: str) -> str:
    """The module (file stem under models/) the generator writes for a class."""
    return str(PythonIdentifier(class_text, FIELD_PREFIX))


def attribute_name(property_name: str) -> str:
    """The model attribute the generator writes for a property."""
    return str(PythonIdentifier(property_name, FIELD_PREFIX))

"""The typed surface: what the generated resources offer (methods, signatures, docstrings, operation
descriptions), built from the corrected spec (`build`, into `model`'s classes) and written out
(`writer`: `resources`, `operations`, `params`, `lenient`, `settings`)."""

from tools.codegen.surface.build import MAX_EMBEDDED, build, python_name
from tools.codegen.surface.model import Argument, OperationSpec, Surface, SurfaceError

__all__ = ["MAX_EMBEDDED", "Argument", "OperationSpec", "Surface", "SurfaceError", "build", "python_name"]

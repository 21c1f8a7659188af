"""A module imported on its first use, so heavy libraries stay out of every command's start-up.

Django imports every URL module (and so every view and what it imports) before a management
command runs its system checks: a library imported at the top of any of them is paid for by
`safehub help` as much as by the report that needs it. A module that must name such a library
at module level (in lambdas or constants) names it through `LazyModule`, and imports it for
the type checker alone:

    if TYPE_CHECKING:
        import splink.comparison_level_library as cll
    else:
        cll = LazyModule("splink.comparison_level_library")

`tests/unit/test_startup.py` fails when a command's start-up imports one of them again.
"""

from __future__ import annotations

import importlib
from typing import Any


class LazyModule:
    def __init__(self, name: str) -> None:
        self._name = name

    def __getattr__(self, attribute: str) -> Any:
        return getattr(importlib.import_module(self._name), attribute)

    def __repr__(self) -> str:
        return f"<lazy module {self._name!r}>"

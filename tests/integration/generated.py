"""Counts of generated cases, printed in pytest's terminal summary (with or without -s).

A fuzz test is only as good as the number of cases it ran; `make test` shows the count per
form or operation, so a change that quietly stops generating cases shows.
"""

from __future__ import annotations

from collections import Counter

import pytest


class GeneratedCases:
    """A pytest plugin object: register once, count cases, report at the end of the run."""

    def __init__(self) -> None:
        self.counts: dict[str, Counter[str]] = {}

    def count(self, suite: str, name: str, n: int = 1) -> None:
        self.counts.setdefault(suite, Counter())[name] += n

    def total(self, suite: str) -> int:
        return sum(self.counts.get(suite, Counter()).values())

    def pytest_terminal_summary(self, terminalreporter: pytest.TerminalReporter) -> None:
        for suite, counts in sorted(self.counts.items()):
            terminalreporter.write_sep("-", f"{suite}: {sum(counts.values())} generated cases")
            for name, n in sorted(counts.items()):
                terminalreporter.write_line(f"{n:6d}  {name}")


def generated_cases(config: pytest.Config) -> GeneratedCases:
    """The run's counter, registered as a plugin the first time it is asked for."""
    plugin = config.pluginmanager.get_plugin("safehub-generated-cases")
    if plugin is None:
        plugin = GeneratedCases()
        config.pluginmanager.register(plugin, "safehub-generated-cases")
    return plugin  # type: ignore[no-any-return]

"""Suite-wide: name a student's variant file that fails on import at the end of the run.

Such a file never makes the suite fail (the shipped rules run without it, issue 16), so the
test report is where its author learns of it, with file, line and error."""

from __future__ import annotations


def pytest_terminal_summary(terminalreporter):
    from model.rules import registry

    registry.load()
    if registry.BROKEN:
        terminalreporter.section("your rule variants")
        for error in registry.BROKEN.values():
            terminalreporter.write_line(f"not loaded: {error}")

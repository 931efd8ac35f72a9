"""The noninterference harness prints its case count when the session finishes."""

from . import stats


def pytest_sessionfinish(session):
    stats.write_report()


def pytest_terminal_summary(terminalreporter):
    if stats.ran_any():
        for line in stats.summary():
            terminalreporter.write_line(line)

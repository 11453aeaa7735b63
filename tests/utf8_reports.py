"""A test report whose text cannot be sent as UTF-8 is sent with the offending characters escaped.

A failure message holding half a surrogate pair (a test of text that decodes "\\ud800") cannot cross from an
xdist worker to the controller: xdist's channel refuses it, the controller prints INTERNALERROR, and the run
ends with exit code 0 and the failure uncounted. The report is made safe in the worker, before it is sent:
the failure text and the captured output keep every character, those that UTF-8 cannot hold as `\\udXXX`.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest


def _safe(text: str) -> str:
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[pytest.TestReport]:
    report = yield
    if report.longrepr is not None and not _encodable(text := str(report.longrepr)):
        report.longrepr = _safe(text)
    report.sections = [(title, content if _encodable(content) else _safe(content))
                       for title, content in report.sections]
    return report

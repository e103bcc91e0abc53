"""The test clock: no test reads the machine's clock.

Every test runs under a clock this plugin sets (time-machine, ticking from the set moment),
so the suite passes on any day at any hour. The moment is ``DEFAULT_MOMENT`` unless
``--clock ISO`` (or ``TEST_CLOCK``) names another.

Tests whose outcome depends on the date or the hour (weeks, days, midnight, scheduling) are
marked ``clock``. Under ``--clock-passes`` each of them runs under the set moment and again
under every moment of ``PASSES``: the seven weekdays, just before and after midnight in
Europe/London and Europe/Moscow, and the two days a year London's clocks change. The other
tests run once, in the same session (``-m clock`` leaves them out). `make test`, and so CI,
runs the SQLite pass that way.
"""

from __future__ import annotations

import datetime as dt
import os

import pytest
import time_machine

UTC = dt.UTC

# A Wednesday, mid-morning in London and in Moscow, far from any week, month or DST edge,
# and after the last dated publication of the demo content (2026-09-15).
DEFAULT_MOMENT = "2026-11-18T09:30:00+00:00"

# The parameter of a clock test that runs at the set moment (DEFAULT_MOMENT or --clock).
SET = "set"

# Name → moment (UTC), each after the demo content's last date as well.
PASSES: dict[str, str] = {
    "mon": "2026-11-16T12:00:00+00:00",
    "tue": "2026-11-17T12:00:00+00:00",
    "wed": "2026-11-18T12:00:00+00:00",
    "thu": "2026-11-19T12:00:00+00:00",
    "fri": "2026-11-20T12:00:00+00:00",
    "sat": "2026-11-21T12:00:00+00:00",
    "sun": "2026-11-22T12:00:00+00:00",
    # London in winter is UTC: Sunday night into Monday, the end of an ISO week.
    "london-before-midnight": "2026-12-06T23:59:30+00:00",
    "london-after-midnight": "2026-12-07T00:00:30+00:00",
    # Moscow is UTC+3 all year: a Saturday night there is still Saturday evening in London.
    "moscow-before-midnight": "2026-12-05T20:59:30+00:00",
    "moscow-after-midnight": "2026-12-05T21:00:30+00:00",
    # London's clocks change at 01:00 UTC on the last Sundays of March and October.
    "london-spring-forward": "2027-03-28T01:30:00+00:00",
    "london-fall-back": "2026-10-25T00:30:00+00:00",
}


def moment(text: str) -> dt.datetime:
    if text in PASSES:
        text = PASSES[text]
    value = dt.datetime.fromisoformat(text)
    if value.tzinfo is None:
        raise pytest.UsageError(f"--clock {text!r}: give a UTC offset, e.g. +00:00")
    return value.astimezone(UTC)


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("clock")
    group.addoption(
        "--clock",
        default=os.environ.get("TEST_CLOCK", DEFAULT_MOMENT),
        help="the moment every test starts at (ISO 8601 with an offset, or a name of PASSES)",
    )
    group.addoption(
        "--clock-passes",
        action="store_true",
        help="run the tests marked `clock` under the set moment and again under each moment of "
        "tests.clock.PASSES (the other tests once)",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "clock: the outcome depends on the date or the hour (see tests/clock.py)"
    )
    moment(config.getoption("--clock"))  # refuse a bad value before any test runs


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if metafunc.config.getoption("--clock-passes") and metafunc.definition.get_closest_marker(
        "clock"
    ):
        metafunc.fixturenames.append("clock_pass")
        metafunc.parametrize("clock_pass", [SET, *PASSES], indirect=True)


@pytest.fixture
def clock_pass(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture(autouse=True)
def clock(request: pytest.FixtureRequest):
    """The test's clock: set to the pass's moment, else to --clock; it ticks from there.
    A test may travel further with ``clock.move_to(...)`` or ``clock.shift(...)``."""
    callspec = getattr(request.node, "callspec", None)
    name = callspec.params.get("clock_pass", SET) if callspec else SET
    start = moment(request.config.getoption("--clock") if name == SET else name)
    with time_machine.travel(start, tick=True) as traveller:
        yield traveller

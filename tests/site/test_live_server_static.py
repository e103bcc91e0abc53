"""The live server of the browser tests serves static files as production does: with a
lifetime, and dated by the real clock, as the browser's is, so the browser keeps them
however far the test clock has moved (tests/conftest.py)."""

import email.utils
import urllib.request

import time_machine


def test_a_static_file_keeps_in_the_browser_under_the_test_clock(live_server, clock):
    clock.move_to("2020-01-01T00:00:00+00:00")  # years before any file's Last-Modified
    with urllib.request.urlopen(live_server.url + "/static/css/site.css") as response:
        headers = response.headers
    assert headers["Cache-Control"] == "max-age=3600"
    date = email.utils.parsedate_to_datetime(headers["Date"])
    assert date >= email.utils.parsedate_to_datetime(headers["Last-Modified"])
    assert abs(date.timestamp() - time_machine.escape_hatch.time.time()) < 60

"""Purge on publish: an editor's commit drops the shared copies of the pages that show what
changed (surrogate keys, purged by the task worker), so a correction shows through Varnish
within a second, in both languages, while pages that do not show it stay cached."""

import http.client
import re
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest
import time_machine

from tests.cluster.conftest import Browser, sql

pytestmark = pytest.mark.cluster


def now():
    # The cluster's clock, not the test clock (tests/clock.py) this process runs under.
    return time_machine.escape_hatch.time.time()


@pytest.fixture
def topic(env):
    (topic_id, name, slug) = sql(
        env,
        "primary",
        "SELECT t.id, t.name, t.slug FROM publications_topic t"
        " WHERE EXISTS (SELECT 1 FROM publications_publication_topics p WHERE p.topic_id = t.id)"
        " ORDER BY t.id LIMIT 1",
    )[0]
    yield topic_id, name, slug
    sql(env, "primary", "UPDATE publications_topic SET name = %s WHERE id = %s", name, topic_id)


def cached(browser, path):
    browser.get(path)
    answer = browser.get(path)
    assert answer.headers["X-Varnish-Cache"] == "hit", path
    return answer


def test_a_correction_shows_through_varnish_within_a_second(front, env, topic):
    topic_id, old_name, slug = topic
    reader = Browser(front)
    page, russian, elsewhere = f"/topics/{slug}/", f"/ru/topics/{slug}/", "/polls/"
    for path in (page, russian, elsewhere):
        cached(reader, path)
    assert "xkey" not in reader.get(page).headers  # the keys stay in Varnish

    editor = Browser(front)
    editor.login("admin", "dialogue-admin")
    new_name, saved = editor.rename_topic(topic_id)
    saving = now()  # the save's answer: it leaves once the change has committed
    assert saved.status == 302, saved.text[:300]
    fresh_at = None
    while now() - saving < 5:
        if new_name in reader.get(page).text:
            fresh_at = now()
            break
        time.sleep(0.02)  # a tighter loop would take the cores the nodes render on
    assert fresh_at is not None, "the correction never showed through Varnish"
    assert fresh_at - saving <= 1.0, f"fresh {fresh_at - saving:.2f}s after the commit"
    # The Russian page went too (the same keys), and a page that does not show the topic
    # kept its copy.
    assert reader.get(russian).headers["X-Varnish-Cache"] == "miss"
    assert reader.get(elsewhere).headers["X-Varnish-Cache"] == "hit"


def purge_from(front, source, keys):
    """A PURGE sent from the address ``source`` (any 127.x.y.z is this machine)."""
    address = urllib.parse.urlsplit(front)
    connection = http.client.HTTPConnection(
        address.hostname, address.port, timeout=5, source_address=(source, 0)
    )
    try:
        connection.request("PURGE", "/", headers={"xkey-purge": keys})
        answer = connection.getresponse()
        return answer.status, answer.read().decode()
    finally:
        connection.close()


def test_only_the_app_may_purge(front):
    reader = Browser(front)
    cached(reader, "/polls/")
    # Another machine (an address outside the VCL's `purgers`), whatever it claims.
    assert purge_from(front, "127.0.0.2", "polls")[0] == 403
    assert reader.get("/polls/").headers["X-Varnish-Cache"] == "hit"
    status, text = purge_from(front, "127.0.0.1", "polls")
    assert status == 200 and re.search(r"Purged [1-9]", text), text
    assert reader.get("/polls/").headers["X-Varnish-Cache"] == "miss"


def test_varnish_refuses_a_purge_without_keys(front):
    request = urllib.request.Request(front + "/", method="PURGE")
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=5)
    assert refused.value.code == 400

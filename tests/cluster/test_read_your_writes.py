"""With the replica's replay paused, so that it lacks everything the primary commits: the
voter still sees their vote, the editor their change, and no page is cached under the new
content version from the replica's old rows."""

import re
import uuid

import pytest

from tests.cluster.conftest import Browser, sql, wait_until

pytestmark = pytest.mark.cluster


@pytest.fixture
def open_poll(env):
    """A poll of its own for each run (the daily cap on votes per address stays far)."""
    slug = f"cluster-poll-{uuid.uuid4().hex[:10]}"
    (poll_id,) = sql(
        env,
        "primary",
        "INSERT INTO polls_poll (question, question_ru, slug, description, description_ru,"
        " is_published, opens_at, closes_at, results_visibility, placement, total_votes,"
        " created_at) VALUES (%s, '', %s, '', '', true, now() - interval '1 hour', NULL,"
        " 'after-vote', 'everywhere', 0, now()) RETURNING id",
        f"Cluster test {slug}?",
        slug,
    )[0]
    for order, text in enumerate(["Yes", "No"]):
        sql(
            env,
            "primary",
            'INSERT INTO polls_choice (text, text_ru, "order", vote_count, poll_id)'
            " VALUES (%s, '', %s, 0, %s)",
            text,
            order,
            poll_id,
        )
    wait_until(
        lambda: (
            sql(env, "replica", "SELECT count(*) FROM polls_choice WHERE poll_id = %s", poll_id)
            == [(2,)]
        ),
        what="the poll on the replica",
    )
    yield slug
    sql(env, "primary", "DELETE FROM polls_vote WHERE poll_id = %s", poll_id)
    sql(env, "primary", "DELETE FROM polls_choice WHERE poll_id = %s", poll_id)
    sql(env, "primary", "DELETE FROM polls_poll WHERE id = %s", poll_id)


def test_the_voter_sees_their_vote(front, env, open_poll):
    voter = Browser(front)
    ballot = voter.get(f"/polls/{open_poll}/ballot/")
    assert ballot.status == 200
    form = ballot.form(action="/vote/")
    yes = form.xpath(".//input[@name='choice']")[0].get("value")

    sql(env, "replica", "SELECT pg_wal_replay_pause()")
    try:
        answer = voter.submit(form, [("choice", yes)])
        assert answer.status == 200
        assert "You voted for “Yes”" in answer.text  # the page after the POST's redirect
        assert voter.cookie("dp_primary")

        again = voter.get(f"/polls/{open_poll}/ballot/")
        assert "You voted for “Yes”" in again.text

        # The replica indeed lacks the vote: without the mark the same reader reads it there.
        assert sql(env, "replica", "SELECT count(*) FROM polls_vote v JOIN polls_poll p"
                   " ON p.id = v.poll_id WHERE p.slug = %s", open_poll) == [(0,)]  # fmt: skip
        voter.forget("dp_primary")
        unmarked = voter.get(f"/polls/{open_poll}/ballot/")
        assert "You voted for" not in unmarked.text
    finally:
        sql(env, "replica", "SELECT pg_wal_replay_resume()")


@pytest.fixture
def topic(env):
    (topic_id, name, name_ru, slug) = sql(
        env, "primary", "SELECT id, name, name_ru, slug FROM publications_topic ORDER BY id LIMIT 1"
    )[0]
    yield topic_id, name, name_ru, slug
    sql(env, "replica", "SELECT pg_wal_replay_resume()")
    sql(env, "primary", "UPDATE publications_topic SET name = %s WHERE id = %s", name, topic_id)


def test_the_editor_sees_their_change_and_no_page_is_cached_stale(front, nodes, env, topic):
    topic_id, old_name, old_name_ru, slug = topic
    reader = Browser(nodes[0])
    page = f"/topics/{slug}/"
    # The node's page cache holds the page as it stands.
    reader.get(page)
    before = reader.get(page)
    assert before.headers["X-Page-Cache"] == "hit"

    editor = Browser(front)
    editor.login("admin", "dialogue-admin")
    change = editor.get(f"/admin/publications/topic/{topic_id}/change/")
    assert change.status == 200
    new_name = f"Arms talk {uuid.uuid4().hex[:8]}"

    sql(env, "replica", "SELECT pg_wal_replay_pause()")
    saved = editor.submit(
        change.form(form_id="topic_form"), [("name", new_name)], button=("_save", "Save")
    )
    assert saved.status == 200
    assert saved.url.endswith("/admin/publications/topic/"), re.findall(
        r"errorlist[^<]*<li>([^<]*)", saved.text
    )
    assert new_name in saved.text  # the change list, read after the save
    assert sql(env, "replica", "SELECT name FROM publications_topic WHERE id = %s", topic_id) == [
        (old_name,)
    ]
    assert sql(env, "primary", "SELECT name, name_ru FROM publications_topic WHERE id = %s",
               topic_id) == [(new_name, old_name_ru)]  # fmt: skip

    # An anonymous reader of either node: the page is made again, from the primary (the
    # replica is behind the save), and kept so.
    for node in nodes:
        reader = Browser(node)
        first = reader.get(page)
        assert first.status == 200
        assert new_name in first.text and old_name not in _heading(first.text)
        second = reader.get(page)
        assert second.headers["X-Page-Cache"] == "hit"
        assert new_name in second.text


def _heading(html):
    found = re.search(r"<h1[^>]*>(.*?)</h1>", html, re.S)
    return found.group(1) if found else ""

"""The sender against a real SMTP server (aiosmtpd on 127.0.0.1): what arrives, its headers
and both parts, links that work when followed, idempotence, refusals and a server that is
down."""

import datetime as dt
import threading

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client
from django.utils import timezone

from dialogue_portal.audit.models import Entry
from dialogue_portal.newsletter import mail, sending
from dialogue_portal.newsletter.models import Delivery, Issue, Subscriber
from tests.factories import make_publication, make_topic
from tests.newsletter.conftest import links_in, local_path, make_subscriber, parts

# Weekly digests, days and weeks: run again under every clock of tests/clock.py.
pytestmark = [pytest.mark.django_db, pytest.mark.clock]

SITE = "https://portal.example.org"


def run(now=None, batch_size=500):
    return sending.Sender(now=now, batch_size=batch_size).run()


def last_week(now=None):
    start, _end, label = sending.week_before(now or timezone.now())
    return start + dt.timedelta(days=2), label


# --- each new publication ---------------------------------------------------------------


def test_a_new_publication_goes_to_each_matching_subscriber_once(smtp):
    security, economy = make_topic(name="Security"), make_topic(name="Economy")
    wanted = make_subscriber("wants-security@example.org", frequency="each", topics=[security])
    make_subscriber("wants-economy@example.org", frequency="each", topics=[economy])
    everything = make_subscriber("wants-all@example.org", frequency="each")
    make_subscriber("russian-only@example.org", frequency="each", language="ru")
    make_subscriber("weekly@example.org", frequency="weekly")
    make_subscriber("pending@example.org", state="pending", frequency="each")
    make_subscriber("gone@example.org", state="unsubscribed", frequency="each")
    publication = make_publication(title="Arms & Europe", topics=[security], days_ago=0)

    tally = run()
    assert tally.sent == 2
    assert sorted(m["To"] for m in smtp.messages) == [
        "wants-all@example.org",
        "wants-security@example.org",
    ]
    assert Delivery.objects.filter(key=f"publication:{publication.pk}", status="sent").count() == 2

    # A second run for the same publication sends nothing twice.
    assert run().sent == 0
    assert len(smtp.messages) == 2
    assert {wanted.pk, everything.pk} == set(
        Delivery.objects.values_list("subscriber_id", flat=True)
    )


def test_publications_from_before_the_subscription_are_not_announced(smtp):
    make_publication(days_ago=3)
    make_subscriber("late@example.org", frequency="each", confirmed_at=timezone.now())
    assert run().sent == 0
    assert smtp.messages == []


def test_a_mail_has_both_parts_the_headers_and_links_that_work(smtp):
    topic = make_topic(name="Security", name_ru="Безопасность")
    subscriber = make_subscriber("reader@example.org", frequency="each", language="ru")
    publication = make_publication(
        title="Доклад о <безопасности>", language="ru", topics=[topic], days_ago=0
    )
    run()
    [message] = smtp.messages
    assert message["To"] == "reader@example.org"
    assert "Dialogue Portal" in message["Subject"] and "Новое" in message["Subject"]
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    unsubscribe = message["List-Unsubscribe"].strip("<>")
    assert unsubscribe.startswith(f"{SITE}/ru/newsletter/unsubscribe/")
    assert message["Auto-Submitted"] == "auto-generated"
    assert message.get_content_type() == "multipart/alternative"
    text, html = parts(message)
    assert "Доклад о <безопасности>" in text  # plain text is not HTML-escaped
    assert "Доклад о &lt;безопасности&gt;" in html  # the HTML part is
    assert '<html lang="ru">' in html
    assert f"{SITE}/ru/publications/{publication.slug}/" in text
    assert "reader@example.org" not in " ".join(links_in(text) + links_in(html))

    client = Client()
    for url in set(links_in(text)):
        response = client.get(local_path(url, SITE))
        assert response.status_code == 200, url
    # The one-click POST as a mail client makes it: no cookie, no CSRF token.
    strict = Client(enforce_csrf_checks=True)
    response = strict.post(local_path(unsubscribe, SITE), {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    subscriber.refresh_from_db()
    assert subscriber.state == "unsubscribed"


# --- weekly digests ---------------------------------------------------------------------


def test_the_weekly_digest_lists_last_weeks_matching_publications_once(smtp):
    now = timezone.now()
    when, label = last_week(now)
    security, economy = make_topic(name="Security"), make_topic(name="Economy")
    make_publication(title="Security one", topics=[security], published_at=when)
    make_publication(title="Economy one", topics=[economy], published_at=when)
    make_publication(title="Russian one", language="ru", published_at=when)
    make_publication(title="This week", published_at=now)  # a minute past Monday's midnight too
    make_subscriber("security@example.org", topics=[security])
    make_subscriber("both@example.org", language="both")
    make_subscriber("economy-ru@example.org", topics=[economy], language="ru")
    make_subscriber("each@example.org", frequency="each")

    tally = run(now)
    by_address = {m["To"]: parts(m)[0] for m in smtp.messages if "the week’s" in m["Subject"]}
    assert set(by_address) == {"security@example.org", "both@example.org"}
    assert "Security one" in by_address["security@example.org"]
    assert "Economy one" not in by_address["security@example.org"]
    for title in ("Security one", "Economy one", "Russian one"):
        assert title in by_address["both@example.org"]
    assert "This week" not in by_address["both@example.org"]
    assert Delivery.objects.filter(key=f"digest:{label}").count() == 2
    assert tally.sent == len(smtp.messages)

    count = len(smtp.messages)
    assert run(now).sent == 0  # the same period again: nothing twice
    _start, this_monday, _label = sending.week_before(now)
    end_of_this_week = this_monday + dt.timedelta(days=7, seconds=-1)
    assert run(end_of_this_week).sent == 0  # later the same week: still last week's digest
    assert len(smtp.messages) == count


def test_a_week_with_nothing_new_sends_nothing(smtp):
    make_subscriber("weekly@example.org")
    make_publication(days_ago=30)
    assert run().sent == 0
    assert smtp.messages == []
    assert Delivery.objects.count() == 0


def test_the_command_prints_a_summary(smtp, capsys):
    when, _label = last_week()
    make_publication(published_at=when)
    make_subscriber("weekly@example.org")
    call_command("send_newsletter")
    assert "newsletter: 1 sent, 0 failed" in capsys.readouterr().out
    call_command("send_newsletter")
    assert "newsletter: 0 sent" in capsys.readouterr().out


def test_subscribers_are_read_in_batches(smtp):
    """Memory stays flat: never more than one batch of subscribers at once. With a batch of
    five, twelve subscribers take three reads, whatever the list's length."""
    when, _label = last_week()
    make_publication(published_at=when)
    for n in range(12):
        make_subscriber(f"r{n}@example.org")
    sender = sending.Sender(batch_size=5)
    sizes, seen = [], []
    original = sender._batches

    def spy(queryset):
        for batch in original(queryset):
            sizes.append(len(batch))
            seen.extend(subscriber.pk for subscriber in batch)
            yield batch

    sender._batches = spy
    assert sender.run().sent == 12
    assert sizes == [5, 5, 2]
    assert len(seen) == 12 == len(set(seen))


# --- issues ------------------------------------------------------------------------------


def test_a_queued_issue_goes_to_every_confirmed_subscriber_in_their_language(smtp):
    # Older than last week: no weekly digest goes out beside the issue, whatever the day.
    publication = make_publication(title="Chosen report", days_ago=20)
    make_subscriber("en@example.org")
    make_subscriber("ru@example.org", language="ru", frequency="each")
    make_subscriber("pending@example.org", state="pending")
    issue = Issue.objects.create(
        subject="The November issue",
        subject_ru="Ноябрьский выпуск",
        slug="november",
        body="<p>Hello <script>alert(1)</script>readers</p>",
        body_ru="<p>Здравствуйте</p>",
    )
    issue.publications.set([publication])
    assert "<script>" not in issue.body
    assert run().sent == 0  # a draft is not sent
    assert issue.queue()
    tally = run()
    assert tally.sent == 2
    subjects = {m["To"]: m["Subject"] for m in smtp.messages}
    assert subjects == {
        "en@example.org": "The November issue",
        "ru@example.org": "Ноябрьский выпуск",
    }
    text, html = parts(smtp.to("en@example.org")[0])
    assert "Chosen report" in text and "Chosen report" in html
    assert "alert" not in html
    issue.refresh_from_db()
    assert issue.status == "sent" and issue.sent_count == 2 and issue.failed_count == 0
    assert run().sent == 0
    assert len(smtp.messages) == 2
    sent = Entry.objects.get(action="sent-to-all")  # once, when the sender finished it
    assert (sent.object_label, sent.detail) == (
        "The November issue",
        "sent by the sender: 2 sent, 0 failed",
    )


# --- refusals and a server that is down -------------------------------------------------


def queued_issue():
    issue = Issue.objects.create(subject="Issue", slug="issue")
    issue.queue()
    return issue


def test_a_permanent_refusal_suppresses_the_address_at_once(smtp):
    make_subscriber("good@example.org")
    bad = make_subscriber("nobody@example.org")
    smtp.refuse["nobody@example.org"] = "550 5.1.1 No such user"
    issue = queued_issue()
    tally = run()
    assert (tally.sent, tally.suppressed) == (1, 1)
    bad.refresh_from_db()
    assert bad.state == "suppressed"
    assert "550" in bad.suppressed_reason
    issue.refresh_from_db()
    assert (issue.sent_count, issue.failed_count, issue.suppressed_count) == (1, 1, 1)
    assert issue.status == "sent"
    # Never mailed again, not even by the next issue.
    second = Issue.objects.create(subject="Second", slug="second")
    second.queue()
    run()
    assert [m["To"] for m in smtp.messages].count("nobody@example.org") == 0


def test_three_temporary_failures_in_a_row_suppress(smtp):
    flaky = make_subscriber("flaky@example.org")
    smtp.refuse["flaky@example.org"] = "451 4.3.0 Try again later"
    issue = queued_issue()
    run()
    flaky.refresh_from_db()
    assert (flaky.state, flaky.temporary_failures) == ("confirmed", 1)
    assert Delivery.objects.get(subscriber=flaky).status == "retry"
    issue.refresh_from_db()
    assert issue.status == "sending"  # still owed to someone
    run()
    flaky.refresh_from_db()
    assert (flaky.state, flaky.temporary_failures) == ("confirmed", 2)
    run()
    flaky.refresh_from_db()
    assert flaky.state == "suppressed"
    assert Delivery.objects.get(subscriber=flaky).status == "failed"
    issue.refresh_from_db()
    assert issue.status == "sent"


def test_a_success_between_temporary_failures_starts_the_count_again(smtp):
    flaky = make_subscriber("flaky@example.org")
    smtp.refuse["flaky@example.org"] = "451 4.3.0 Try again later"
    queued_issue()
    run()
    run()
    smtp.refuse.clear()
    run()  # the retry gets through
    flaky.refresh_from_db()
    assert (flaky.state, flaky.temporary_failures) == ("confirmed", 0)
    assert len(smtp.to("flaky@example.org")) == 1


def test_a_server_that_is_down_changes_no_subscriber(smtp_down):
    subscriber = make_subscriber("reader@example.org")
    issue = queued_issue()
    with pytest.raises(CommandError, match="unavailable"):
        call_command("send_newsletter")
    subscriber.refresh_from_db()
    assert subscriber.state == "confirmed" and subscriber.temporary_failures == 0
    assert Delivery.objects.filter(status="sent").count() == 0
    issue.refresh_from_db()
    assert issue.status in ("queued", "sending")


def test_after_the_server_comes_back_the_next_run_sends(smtp, smtp_down, settings):
    # smtp_down points MAILERS at a closed port; the run fails.
    make_subscriber("reader@example.org")
    queued_issue()
    with pytest.raises(sending.ServerUnavailable):
        run()
    # The server is back (the real one): the same issue goes out, once.
    settings.MAILERS = mailers_for(smtp.port)
    assert run().sent == 1
    assert len(smtp.messages) == 1
    assert run().sent == 0


def mailers_for(port):
    return {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": port, "timeout": 5},
        }
    }


def test_a_connection_dropped_midway_leaves_the_rest_for_the_next_run(smtp, monkeypatch):
    for n in range(4):
        make_subscriber(f"r{n}@example.org")
    queued_issue()
    sender = sending.Sender()
    calls = {"n": 0}
    original = sending.Sender._deliver

    def flaky_deliver(self, subscriber, delivery_id, message):
        calls["n"] += 1
        if calls["n"] == 3:
            self._give_back(delivery_id, "connection dropped")
            raise sending.ServerUnavailable("dropped")
        return original(self, subscriber, delivery_id, message)

    monkeypatch.setattr(sending.Sender, "_deliver", flaky_deliver)
    with pytest.raises(sending.ServerUnavailable):
        sender.run()
    assert len(smtp.messages) == 2
    assert Subscriber.objects.filter(state="confirmed").count() == 4
    monkeypatch.setattr(sending.Sender, "_deliver", original)
    assert run().sent == 2
    assert sorted(m["To"] for m in smtp.messages) == [f"r{n}@example.org" for n in range(4)]


@pytest.mark.postgres  # SQLite's in-memory test database locks tables instead of waiting
@pytest.mark.django_db(transaction=True)
def test_two_runs_at_once_send_each_mail_once(smtp):
    """Cron started a run while the last one was still going: the unique (subscriber, what)
    constraint lets only one of them claim each mail."""
    when, _label = last_week()
    make_publication(published_at=when)
    for n in range(40):
        make_subscriber(f"r{n}@example.org")
    results, errors = [], []

    def one_run():
        try:
            results.append(sending.Sender(batch_size=7).run().sent)
        except Exception as error:  # reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=one_run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert sum(results) == 40
    addresses = [m["To"] for m in smtp.messages]
    assert len(addresses) == 40 == len(set(addresses))


def test_a_title_with_a_line_break_stays_one_subject_line(smtp):
    make_subscriber("reader@example.org", frequency="each")
    make_publication(title="Line one\r\nBcc: victim@example.org", days_ago=0)
    assert run().sent == 1
    [message] = smtp.messages
    assert message["Bcc"] is None
    assert "Line one Bcc: victim@example.org" in message["Subject"]
    assert smtp.envelopes == [["reader@example.org"]]


def test_the_rendered_lists_kept_during_a_run_are_bounded(monkeypatch):
    monkeypatch.setattr(mail, "MEMO_SIZE", 3)
    publications = [make_publication() for _ in range(5)]
    memo = {}
    for publication in publications:
        mail.items([publication], "en", memo)
    assert len(memo) == 3
    assert ("en", (publications[-1].pk,)) in memo
    assert mail.items([publications[-1]], "en", memo) is memo[("en", (publications[-1].pk,))]


def test_nothing_to_send_opens_no_connection(smtp_down):
    """With nothing due the sender never connects: a server that is down does not matter,
    and a local run's file backend writes no empty file."""
    make_subscriber("weekly@example.org")
    assert run().sent == 0

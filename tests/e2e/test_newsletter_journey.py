"""A reader subscribes from the footer in Chromium, confirms from the mail, chooses a topic;
an editor publishes a matching publication in the admin; the sender (cron's command) mails
exactly one message; the reader unsubscribes with one click, as a mail client does it; the
next run mails nothing. In English and in Russian, against a real SMTP server."""

import pytest
from aiosmtpd.controller import Controller
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from dialogue_portal.newsletter import tokens
from dialogue_portal.newsletter.models import Issue, Subscriber
from publications.models import Publication
from tests.e2e.conftest import screenshot, sign_in, wait_for_widgets
from tests.e2e.test_accessibility import axe_violations
from tests.factories import make_publication, make_topic
from tests.newsletter.conftest import Inbox, free_port, links_in, make_subscriber, parts

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

WORDS = {
    "en": {
        "prefix": "/",
        "language": "English",
        "subscribe": "Subscribe",
        "inbox": "Check your inbox",
        "confirm": "Confirm my subscription",
        "confirmed": "Your subscription is confirmed",
        "save": "Save my choices",
        "saved": "Your choices are saved.",
        "topic": "Arms Control",
        "subject": "Confirm your subscription",
    },
    "ru": {
        "prefix": "/ru/",
        "language": "Русский",
        "subscribe": "Подписаться",
        "inbox": "Проверьте почту",
        "confirm": "Подтвердить подписку",
        "confirmed": "Подписка подтверждена",
        "save": "Сохранить выбор",
        "saved": "Ваш выбор сохранён.",
        "topic": "Контроль над вооружениями",
        "subject": "Подтвердите подписку",
    },
}


@pytest.fixture
def inbox(settings, live_server):
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": controller.port, "timeout": 5},
        }
    }
    settings.SITE_URL = live_server.url
    yield inbox
    controller.stop()


@pytest.fixture
def editor_page(browser, live_server, django_user_model):
    django_user_model.objects.create_superuser("chief", "chief@example.org", "pw-e2e-123!")
    context = browser.new_context(base_url=live_server.url, locale="en-GB")
    page = context.new_page()
    sign_in(page, "chief", "pw-e2e-123!")
    expect(page.get_by_role("heading", name="Publish and manage content")).to_be_visible()
    yield page
    context.close()


def publish_in_admin(editor_page, publication):
    editor_page.goto(f"/admin/publications/publication/{publication.pk}/change/")
    editor_page.get_by_label("Status").select_option("published")
    editor_page.get_by_role("button", name="Save", exact=True).first.click()
    expect(editor_page.locator(".messagelist")).to_contain_text("was changed successfully")


@pytest.mark.parametrize("language", ["en", "ru"])
def test_subscribe_confirm_receive_one_mail_unsubscribe_receive_nothing(
    page, editor_page, inbox, browser, live_server, language
):
    words = WORDS[language]
    arms = make_topic(name="Arms Control", name_ru="Контроль над вооружениями", slug="arms")
    make_topic(name="Economy", name_ru="Экономика", slug="economy")
    address = f"reader-{language}@example.org"

    # 1. Subscribe from the footer of the home page.
    page.goto(words["prefix"])
    wait_for_widgets(page)
    footer = page.locator(".newsletter-box")
    footer.get_by_label("E-mail address" if language == "en" else "Адрес электронной почты").fill(
        address
    )
    # Focusing the form fetched its CSRF token (the page itself is the same for everyone).
    expect(footer.locator("input[name=csrfmiddlewaretoken]")).to_be_attached()
    expect(footer.locator("select[name=language]")).to_have_value(language)
    footer.locator("input[name=consent]").check()
    screenshot(page, f"newsletter-{language}-01-footer", full_page=True)
    footer.get_by_role("button", name=words["subscribe"], exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(words["inbox"])
    screenshot(page, f"newsletter-{language}-02-check-inbox")
    subscriber = Subscriber.objects.get(email=address)
    assert subscriber.state == "pending" and subscriber.consent_language == language

    # 2. The confirmation mail: both parts, no List-Unsubscribe, a link that works.
    [confirmation] = inbox.to(address)
    assert words["subject"] in confirmation["Subject"]
    assert confirmation["List-Unsubscribe"] is None
    text, html = parts(confirmation)
    [link] = [url for url in links_in(text) if "/newsletter/confirm/" in url]
    assert link in html and address not in link
    page.goto(link)
    screenshot(page, f"newsletter-{language}-03-confirm")
    assert Subscriber.objects.get(email=address).state == "pending"  # opening it changes nothing
    page.get_by_role("button", name=words["confirm"]).click()
    expect(page.locator(".messages")).to_contain_text(words["confirmed"])

    # 3. Choose a topic on the preference page.
    page.get_by_label(words["topic"]).check()
    page.get_by_label(
        "Each new publication" if language == "en" else "Каждая новая публикация"
    ).check()
    screenshot(page, f"newsletter-{language}-04-preferences", full_page=True)
    page.get_by_role("button", name=words["save"]).click()
    expect(page.locator(".messages")).to_contain_text(words["saved"])
    subscriber.refresh_from_db()
    assert subscriber.state == "confirmed"
    assert list(subscriber.topics.all()) == [arms] and subscriber.frequency == "each"

    # 4. An editor publishes a matching publication in the admin; cron runs the sender.
    draft = make_publication(
        title=f"Arms control after New START ({language})",
        language=language,
        topics=[arms],
        status=Publication.Status.DRAFT,
        published_at=None,
    )
    make_publication(title="Unrelated economy paper", language=language, days_ago=0)
    publish_in_admin(editor_page, draft)
    before = len(inbox.messages)
    call_command("send_newsletter")
    received = inbox.messages[before:]
    assert len(received) == 1
    [news] = received
    assert news["To"] == address and draft.title in news["Subject"]
    assert news["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    text, html = parts(news)
    assert draft.title in text and draft.title in html
    draft.refresh_from_db()
    assert (
        f"{live_server.url}{words['prefix']}publications/{draft.slug}/".replace(
            "//publications", "/publications"
        )
        in text
    )

    # 5. One-click unsubscribe, as a mail client makes it: a POST with no cookie, no token.
    unsubscribe_url = news["List-Unsubscribe"].strip("<>")
    mail_client = browser.new_context()
    response = mail_client.request.post(
        unsubscribe_url,
        data="List-Unsubscribe=One-Click",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert response.status == 200
    mail_client.close()
    assert Subscriber.objects.get(email=address).state == "unsubscribed"

    # 6. Another matching publication: the next run mails nothing.
    second = make_publication(
        title=f"A second arms paper ({language})",
        language=language,
        topics=[arms],
        status=Publication.Status.DRAFT,
        published_at=None,
    )
    publish_in_admin(editor_page, second)
    before = len(inbox.messages)
    call_command("send_newsletter")
    assert inbox.messages[before:] == []

    # The unsubscribe link opened by a person shows a page, and changes nothing more.
    page.goto(unsubscribe_url)
    screenshot(page, f"newsletter-{language}-05-unsubscribe")
    expect(page.locator("main form")).to_have_count(0)


def test_a_reader_without_javascript_subscribes_from_the_footer(browser, live_server, inbox):
    """No JavaScript, so no token in the footer form: the newsletter page takes over, filled
    in, and one more press subscribes."""
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    page.goto("/ru/publications/")
    footer = page.locator(".newsletter-box")
    footer.locator("input[name=email]").fill("no-js@example.org")
    footer.locator("input[name=consent]").check()
    footer.get_by_role("button", name="Подписаться", exact=True).click()
    expect(page.locator("main .notice")).to_contain_text("ещё раз")
    expect(page.locator("main input[name=email]")).to_have_value("no-js@example.org")
    screenshot(page, "newsletter-ru-06-without-javascript", full_page=True)
    assert not Subscriber.objects.exists() and not inbox.messages
    page.locator("main").get_by_role("button", name="Подписаться", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Проверьте почту")
    subscriber = Subscriber.objects.get()
    assert subscriber.consent_source == "/ru/publications/" and subscriber.language == "ru"
    assert len(inbox.to("no-js@example.org")) == 1
    context.close()


@pytest.mark.parametrize("prefix", ["", "/ru"], ids=["english", "russian"])
def test_newsletter_pages_pass_axe_at_wcag_22_aa(axe_page, axe_source, prefix):
    make_topic(name="Arms Control", name_ru="Контроль над вооружениями", slug="arms")
    subscriber = make_subscriber("reader@example.org", confirm_nonce="nonce")
    issue = Issue.objects.create(
        subject="The November issue",
        subject_ru="Ноябрьский выпуск",
        slug="november",
        body="<h2>Findings</h2><p>Hello.</p>",
        status=Issue.Status.SENT,
        sent_at=timezone.now(),
    )
    issue.publications.set([make_publication(title="A chosen report")])
    manage = tokens.manage_token(subscriber)
    pages = {
        "subscribe": "/newsletter/",
        "inbox": "/newsletter/check-your-inbox/",
        "manage": f"/newsletter/manage/{manage}/",
        "unsubscribe": f"/newsletter/unsubscribe/{manage}/",
        "archive": "/newsletter/archive/",
        "issue": issue.get_absolute_url(),
        "bad link": "/newsletter/confirm/junk/",
    }
    problems = {}
    for name, url in pages.items():
        response = axe_page.goto(prefix + url)
        assert response.status == (400 if name == "bad link" else 200), url
        found = axe_violations(axe_page, axe_source)
        language = prefix.strip("/") or "en"
        if found:
            problems[prefix + url] = found
            screenshot(axe_page, f"a11y-newsletter-{language}-{name}")
        elif name in ("archive", "issue", "subscribe"):
            screenshot(axe_page, f"newsletter-{language}-page-{name}", full_page=True)
    assert not problems, "\n".join(
        f"{url}:\n  " + "\n  ".join(found) for url, found in problems.items()
    )

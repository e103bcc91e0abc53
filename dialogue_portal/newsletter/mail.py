"""The mails themselves: a text part and an HTML part, in the subscriber's language, with
the site's name and absolute links. Every mail but the confirmation carries
``List-Unsubscribe`` and ``List-Unsubscribe-Post`` (RFC 8058), so a mail client's
one-click unsubscribe works."""

import html

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.html import strip_tags
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from dialogue_portal.newsletter import tokens

# Distinct publication lists kept rendered during one run of the sender.
MEMO_SIZE = 256


def absolute(path):
    return f"{settings.SITE_URL}{path}"


def links(subscriber):
    """The subscriber's own links, in the language of their mails."""
    token = tokens.manage_token(subscriber)
    with translation.override(subscriber.mail_language):
        return {
            "manage_url": absolute(reverse("newsletter:manage", args=[token])),
            "unsubscribe_url": absolute(reverse("newsletter:unsubscribe", args=[token])),
        }


def build(subscriber, template, context, *, subject, unsubscribe=True, to=None):
    """An EmailMultiAlternatives from ``newsletter/mail/<template>.txt`` and ``.html``,
    rendered in ``subscriber.mail_language``. ``subject`` is called inside that language."""
    language = subscriber.mail_language
    with translation.override(language):
        own = links(subscriber) if unsubscribe else {}
        full_context = {
            "SITE_NAME": settings.SITE_NAME,
            "SITE_URL": settings.SITE_URL,
            "home_url": absolute(reverse("home")),
            "archive_url": absolute(reverse("newsletter:archive")),
            "language": language,
            **own,
            **context,
        }
        text = render_to_string(f"newsletter/mail/{template}.txt", full_context)
        html = render_to_string(f"newsletter/mail/{template}.html", full_context)
        # A title pasted with a line break must not become a second header line.
        subject_text = " ".join(str(subject() if callable(subject) else subject).split())
    headers = {"Auto-Submitted": "auto-generated"}
    if unsubscribe:
        headers["List-Unsubscribe"] = f"<{own['unsubscribe_url']}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
        headers["List-Id"] = f"{settings.SITE_NAME} <newsletter.{_list_host()}>"
    message = EmailMultiAlternatives(
        subject=subject_text,
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=to or [subscriber.email],
        headers=headers,
    )
    message.attach_alternative(html, "text/html")
    return message


def _list_host():
    host = settings.SITE_URL.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0]
    return host or "localhost"


def confirmation(subscriber):
    """The double opt-in mail: the only one sent before the address is confirmed."""
    with translation.override(subscriber.mail_language):
        url = absolute(reverse("newsletter:confirm", args=[tokens.confirm_token(subscriber)]))
    return build(
        subscriber,
        "confirm",
        {"confirm_url": url, "hours": int(tokens.CONFIRM_MAX_AGE.total_seconds() // 3600)},
        subject=lambda: _("Confirm your subscription to %(site)s") % {"site": settings.SITE_NAME},
        unsubscribe=False,
    )


def already_subscribed(subscriber):
    """To a confirmed address given again: its preference link, nothing more."""
    return build(
        subscriber,
        "already",
        {},
        subject=lambda: _("Your subscription to %(site)s") % {"site": settings.SITE_NAME},
    )


def publication_items(publications):
    """What a mail lists of each publication, with its address in the active language."""
    return [
        {
            "title": publication.title,
            "kind": publication.get_kind_display(),
            "date": publication.published_at,
            "summary": publication.summary,
            "url": absolute(publication.get_absolute_url()),
            "language": publication.language,
        }
        for publication in publications
    ]


def items(publications, language, memo=None):
    """The list of publications in a mail, as {"items_text", "items_html"}, rendered in
    ``language``. Many subscribers get the same list: ``memo`` (a dict kept for one run of
    the sender) renders each distinct list once."""
    key = (language, tuple(publication.pk for publication in publications))
    if memo is not None and key in memo:
        return memo[key]
    with translation.override(language):
        context = {"items": publication_items(publications), "language": language}
        rendered = {
            "items_text": render_to_string("newsletter/mail/_items.txt", context),
            "items_html": mark_safe(render_to_string("newsletter/mail/_items.html", context)),  # noqa: S308 - our own template, autoescaped
        }
    if memo is not None:
        if len(memo) >= MEMO_SIZE:  # bounded, so memory stays flat however varied the lists
            memo.pop(next(iter(memo)))
        memo[key] = rendered
    return rendered


def new_publication(subscriber, publication, *, memo=None):
    return build(
        subscriber,
        "publication",
        items([publication], subscriber.mail_language, memo),
        subject=lambda: (
            _("New on %(site)s: %(title)s")
            % {"site": settings.SITE_NAME, "title": publication.title}
        ),
    )


def digest(subscriber, publications, *, start, end, memo=None):
    return build(
        subscriber,
        "digest",
        {**items(publications, subscriber.mail_language, memo), "start": start, "end": end},
        subject=lambda: _("%(site)s: the week’s publications") % {"site": settings.SITE_NAME},
    )


def issue(subscriber, issue, publications, *, test=False, to=None, memo=None):
    def subject():
        text = issue.display_subject
        return f"[TEST] {text}" if test else text

    with translation.override(subscriber.mail_language):
        issue_url = absolute(issue.get_absolute_url())
        body = issue.display_body
    context = {
        **items(publications, subscriber.mail_language, memo),
        "issue": issue,
        "body": body,
        "body_text": html.unescape(strip_tags(body)).strip(),
        "has_items": bool(publications),
        "issue_url": issue_url,
        "test": test,
    }
    return build(
        subscriber,
        "issue",
        context,
        subject=subject,
        to=to,
    )

"""The demo's pages (``content_pages``): About, Support our research, Contact and the
audience introductions, in English and in Russian as its translation. Idempotent like the
core loader: a page an editor changed is kept and reported."""

from django.db import transaction

from dialogue_portal.demo.content_pages import PAGES
from dialogue_portal.demo.loader import Report, ensure
from dialogue_portal.pages.models import Page
from publications.models import Audience
from publications.sanitize import sanitize_html

SHARED = ("donation_url", "contact_email", "contact_phone")
PER_LANGUAGE = ("title", "summary", "donation_label", "address")


def load(stdout):
    report = Report("Demo pages")
    with transaction.atomic():
        audiences = {audience.slug: audience for audience in Audience.objects.all()}
        for entry in PAGES:
            original = None
            for language in ("en", "ru"):
                words = entry[language]
                fields = {key: entry.get(key, "") for key in SHARED}
                fields.update({key: words.get(key, "") for key in PER_LANGUAGE})
                fields.update(
                    role=entry["role"],
                    audience=audiences.get(entry.get("audience")),
                    body=sanitize_html(words["body"]),
                    is_published=True,
                    translation_of=original,
                )
                page, _created = ensure(
                    report,
                    Page,
                    f"{entry['slug']} ({language})",
                    {"slug": entry["slug"], "language": language},
                    fields,
                )
                original = original or page
    report.write(stdout)
    return report

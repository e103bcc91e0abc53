"""Every page type, in English and Russian, and every fragment htmx loads has zero errors in
the Nu HTML Checker (vnu.jar, run with Java in one go over pages a live server rendered).

`make vnu` (a prerequisite of `make test`) puts vnu.jar in .venv/vnu/; Java comes from the
system (Debian: `apt-get install default-jre-headless`). Without either the test fails and
says how to install it. Fragments are wrapped in a minimal valid document before checking.
"""

import datetime as dt
import html
import http.cookiejar
import json
import os
import re
import shutil
import subprocess
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from django.template.loader import render_to_string
from django.utils import timezone

from dialogue_portal.pages.models import Page
from dialogue_portal.previews.models import PreviewLink
from dialogue_portal.previews.services import url_for as preview_url
from dialogue_portal.redirects.models import Redirect
from polls.models import Choice, Poll, Vote
from publications.models import Publication
from tests.factories import (
    make_attachment,
    make_audience,
    make_institution,
    make_person,
    make_poll,
    make_programme,
    make_project,
    make_publication,
    make_region,
    make_topic,
    png_upload,
)

pytestmark = [pytest.mark.vnu, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]
VNU_JAR = Path(
    os.environ.get("VNU_JAR", ROOT / ".venv/vnu/node_modules/vnu-jar/build/dist/vnu.jar")
)
FRAGMENT = (
    '<!doctype html><html lang="{language}"><head><meta charset="utf-8">'
    "<title>{name}</title></head><body>\n{html}\n</body></html>"
)
# Must be reported, or the checker did not really check (a wrong path, an empty run).
CANARY = ("canary", '<p hx-get="/">An htmx attribute the checker must refuse.</p>')


def vnu_command():
    java = shutil.which("java")
    if java is None:
        pytest.fail(
            "Java is needed to run the Nu HTML Checker: `apt-get install default-jre-headless` "
            "(Debian; .ci/run does it), then `make vnu`."
        )
    if not VNU_JAR.exists():
        pytest.fail(f"vnu.jar is missing at {VNU_JAR}: run `make vnu` (npm install vnu-jar).")
    # One short run: the JIT's quick first tier alone halves the checker's time (its full
    # optimisation never pays back within a few seconds); the report is the same.
    return [
        java, "-Xss8m", "-XX:TieredStopAtLevel=1", "-jar", str(VNU_JAR),
        "--format", "json", "--errors-only", "--stdout",
    ]  # fmt: skip


def build():
    """Content for every page type: several authors at two institutions, tags, attachments,
    a work in two languages, a project in parts, enough work for a second list page, an
    open and featured poll and a closed one with results."""
    rusi = make_institution(slug="rusi", name="Royal United Services Institute", short_name="RUSI")
    riac = make_institution(
        slug="riac",
        name="Russian International Affairs Council",
        name_ru="Российский совет по международным делам",
        short_name="RIAC",
    )
    authors = [
        make_person(
            institution=rusi,
            slug="malcolm-chalmers",
            given_name="Malcolm",
            family_name="Chalmers",
            given_name_ru="Малкольм",
            family_name_ru="Чалмерс",
            short_bio="Deputy Director-General of RUSI.",
            orcid="0000-0002-1825-0097",
        ),
        make_person(institution=riac, slug="andrey-kortunov", given_name="Andrey"),
        make_person(institution=riac, slug="third-author"),
    ]
    arms = make_topic(name="Arms Control", name_ru="Контроль над вооружениями", slug="arms")
    cyber = make_topic(name="Cyber", name_ru="Кибербезопасность", slug="cyber")
    europe = make_region(name="Europe", name_ru="Европа", slug="europe")
    arctic = make_region(name="Arctic", name_ru="Арктика", slug="arctic")
    audience = make_audience(name="Researchers", name_ru="Исследователям", slug="researchers")
    programme = make_programme(name="International Security Studies", slug="iss")
    project = make_project(name="UK–Russia Security Dialogue", slug="dialogue")
    report = make_publication(
        slug="managing-security-relations",
        title="Managing Russia–UK Security Relations",
        subtitle="Part 1 of the dialogue",
        summary="Even with mistrust running high, security relations can still be managed.",
        body="<h2>Findings</h2><p>See <a href='https://example.org/'>the annex</a>.</p>"
        "<table><tr><th scope='col'>Year</th></tr><tr><td>2018</td></tr></table>"
        "<ul><li>One</li></ul><blockquote><p>Quoted.</p></blockquote>",
        authors=authors,
        topics=[arms, cyber],
        regions=[europe, arctic],
        project=project,
        project_part=1,
        programme=programme,
        banner_image=png_upload(size=(800, 350)),
        banner_alt="Aircraft trails over a dusk sky",
        banner_caption="Flight paths.",
        banner_credit="Courtesy of the Royal Air Force",
        featured=True,
        days_ago=3,
    )
    report.audiences.set([audience])
    make_attachment(report)
    make_attachment(report, title="Полный текст", language="ru")
    russian = make_publication(
        slug="managing-security-relations-ru",
        title="Управление отношениями в сфере безопасности",
        summary="Даже при высоком недоверии отношениями можно управлять.",
        language="ru",
        translation_of=report,
        authors=authors[:2],
        topics=[arms],
        project=project,
        project_part=1,
        days_ago=3,
    )
    make_publication(
        slug="part-2", title="Part 2", authors=authors[:1], topics=[arms], project=project,
        project_part=2, kind="conference-report", days_ago=2,
    )  # fmt: skip
    for n in range(21):
        make_publication(
            title=f"Security briefing {n}", kind="briefing", authors=authors[1:], topics=[cyber],
            days_ago=10 + n,
        )  # fmt: skip
    Publication.objects.filter(pk=report.pk).update(view_count=40, rating_count=2, rating_sum=9)
    poll = make_poll(
        question="Will the dialogue continue?",
        question_ru="Продолжится ли диалог?",
        placement=Poll.Placement.EVERYWHERE,
        slug="open-poll",
    )
    poll.publications.set([report])
    closed = make_poll(
        question="Was the Arctic round useful?",
        slug="closed-poll",
        placement=Poll.Placement.NONE,
        opens_at=timezone.now() - dt.timedelta(days=30),
        closes_at=timezone.now() - dt.timedelta(days=1),
    )
    choice = closed.choices.first()
    Vote.objects.create(poll=closed, choice=choice, reader="anon:one")
    Choice.objects.filter(pk=choice.pk).update(vote_count=1)
    Poll.objects.filter(pk=closed.pk).update(total_votes=1)
    support = Page.objects.create(
        role="support",
        slug="support",
        title="Support our research",
        summary="Independent research depends on readers.",
        body="<p>Your gift keeps the work free to read.</p>",
        donation_url="https://example.org/give",
        donation_label="Give to the research fund",
        is_published=True,
    )
    Page.objects.create(
        role="support",
        slug="support",
        language="ru",
        translation_of=support,
        title="Поддержите наши исследования",
        body="<p>Ваш вклад сохраняет нашу работу бесплатной для читателей.</p>",
        donation_url="https://example.org/give",
        donation_label="Поддержать исследовательский фонд",
        is_published=True,
    )
    Page.objects.create(
        role="contact",
        slug="contact",
        title="Contact",
        body="<p>Write to us.</p><h2>Press</h2><p>Ask for an interview.</p>",
        contact_email="editors@example.org",
        contact_phone="+44 20 7946 0321",
        address="12 Example Row\nLondon",
        is_published=True,
    )
    Page.objects.create(
        role="about", slug="about", title="About", body="<p>Who we are.</p>", is_published=True
    )
    Page.objects.create(
        role="audience",
        audience=audience,
        slug="for-researchers",
        title="For researchers",
        summary="Where to begin.",
        body="<ul><li>Start with a report.</li></ul>",
        is_published=True,
    )
    Page.objects.create(
        slug="methods", title="Our methods", body="<p>How we work.</p>", is_published=True
    )
    Redirect.objects.create(old_path="/publications/withdrawn", status=410)
    return {"report": report, "russian": russian, "poll": poll, "closed": closed}


PAGES = {
    "home": "/",
    "list": "/publications/",
    "list-filtered": "/publications/?topic=arms&kind=report&language=en&sort=oldest",
    "list-page-2": "/publications/?page=2",
    "list-search": "/publications/?q=security",
    "list-empty": "/publications/?q=nothing-matches-this",
    "list-bad-dates": "/publications/?date_from=2020-01-02&date_to=2020-01-01",
    "detail": "/publications/managing-security-relations/",
    "detail-translation": "/publications/managing-security-relations-ru/",
    "detail-part-2": "/publications/part-2/",
    "rating-page": "/publications/managing-security-relations/rating/",
    "people": "/people/",
    "people-letter": "/people/?letter=C",
    "person": "/people/malcolm-chalmers/",
    "institution": "/institutions/riac/",
    "topic": "/topics/arms/",
    "region": "/regions/europe/",
    "audience": "/audiences/researchers/",
    "programme": "/programmes/iss/",
    "project": "/projects/dialogue/",
    "browse": "/topics/",
    "polls": "/polls/",
    "poll-open": "/polls/open-poll/",
    "poll-closed": "/polls/closed-poll/",
    "ballot-page": "/polls/open-poll/ballot/",
    "search": "/search/?q=security",
    "search-empty": "/search/",
    "search-nothing": "/search/?q=nothing-matches-this",
    "not-found": "/no-such-page/",
    "gone": "/publications/withdrawn/",
    "page-about": "/about/",
    "page-support": "/support/",
    "page-contact": "/contact/",
    "page-audience": "/for/researchers/",
    "page-other": "/pages/methods/",
    "newsletter": "/newsletter/",
    "newsletter-check-inbox": "/newsletter/check-your-inbox/",
    "newsletter-archive": "/newsletter/archive/",
}
STATUS = {"not-found": 404, "gone": 410, "preview-gone": 404}
# What htmx fetches and swaps in (read from the templates' data-hx-get/-post).
FRAGMENTS = {
    "list-results": "/publications/?topic=arms",
    "list-results-page-2": "/publications/?page=2",
    "list-results-empty": "/publications/?q=nothing-matches-this",
    "rating-widget": "/publications/managing-security-relations/rating/",
    "ballot-open": "/polls/open-poll/ballot/",
    "ballot-closed": "/polls/closed-poll/ballot/",
    "newsletter-form-token": "/newsletter/form-token/",
}


class Site:
    """A reader of the live server with its own cookies (CSRF token, reader cookie)."""

    def __init__(self, base):
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )

    def fetch(self, path, *, htmx=False, data=None):
        headers = {"HX-Request": "true"} if htmx else {}
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(self.base + path, data=body, headers=headers)
        try:
            with self.opener.open(request) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def post(self, form_path, action, fields, *, htmx=True):
        """POST a form the way htmx does, with the CSRF token of the page that holds it."""
        _status, page = self.fetch(form_path)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        return self.fetch(action, htmx=htmx, data={"csrfmiddlewaretoken": token, **fields})


def preview_pages():
    """A preview link's page (a draft with its author, banner and PDF) and the page of a
    revoked one (dialogue_portal.previews)."""
    draft = make_publication(
        title="Draft under embargo",
        slug="draft-under-embargo",
        status=Publication.Status.DRAFT,
        published_at=None,
        authors=[make_person(family_name="Embargo")],
    )
    make_attachment(draft)
    expires = timezone.now() + dt.timedelta(days=1)
    link = PreviewLink.objects.create(publication=draft, expires_at=expires)
    revoked = PreviewLink.objects.create(
        publication=draft, expires_at=expires, revoked_at=timezone.now()
    )
    return {"preview": preview_url(link), "preview-gone": preview_url(revoked)}


def render_all(live_server, settings, extra=None):
    """{file name: document} of every page and wrapped fragment, in both languages."""
    documents = {}
    for language, prefix in (("en", ""), ("ru", "/ru")):
        site = Site(live_server.url)
        for name, path in {**PAGES, **(extra or {})}.items():
            status, body = site.fetch(prefix + path)
            assert status == STATUS.get(name, 200), (prefix + path, status)
            documents[f"{language}-{name}"] = body
        for name, path in FRAGMENTS.items():
            status, body = site.fetch(prefix + path, htmx=True)
            assert status == 200, (prefix + path, status)
            assert "<html" not in body, f"{prefix + path} is not a fragment"
            documents[f"{language}-fragment-{name}"] = wrap(body, language, name)
        # The fragments the writes answer with: the widget after rating, results after a vote.
        rating = prefix + PAGES["rating-page"]
        rate = prefix + "/publications/managing-security-relations/rate/"
        status, body = site.post(rating, rate, {"stars": "4"})
        assert status == 200, status
        documents[f"{language}-fragment-rated"] = wrap(body, language, "rated")
        status, body = site.post(rating, rate, {"stars": "9"})
        assert status == 400, status
        documents[f"{language}-fragment-rating-refused"] = wrap(body, language, "refused")
        ballot = prefix + PAGES["ballot-page"]
        choice = re.search(r'name="choice" value="(\d+)"', site.fetch(ballot)[1]).group(1)
        status, body = site.post(ballot, prefix + "/polls/open-poll/vote/", {"choice": choice})
        assert status == 200, status
        documents[f"{language}-fragment-voted"] = wrap(body, language, "voted")
        # Past the flood limit: the 429 page, and the fragment htmx shows instead.
        settings.WRITE_RATE_LIMIT = 1
        for _attempt in range(3):  # the first may still fit in the window
            status, body = site.post(rating, rate, {"stars": "3"}, htmx=False)
            if status == 429:
                break
        assert status == 429, status
        documents[f"{language}-too-many-requests"] = body
        status, body = site.post(rating, rate, {"stars": "3"})
        assert status == 429, status
        documents[f"{language}-fragment-too-many-requests"] = wrap(body, language, "429")
        settings.WRITE_RATE_LIMIT = 0
    # The 503 page is sent while the database is unreachable, the 500 page on a crash: both
    # are rendered without a request.
    documents["database-unavailable"] = render_to_string("503.html")
    documents["server-error"] = render_to_string("500.html")
    return documents


def wrap(fragment, language, name):
    return FRAGMENT.format(language=language, name=html.escape(name), html=fragment)


def check(documents, folder):
    """[(file, line, message)] of every error the checker finds, in one run."""
    for name, document in documents.items():
        (folder / f"{name}.html").write_text(document, encoding="utf-8")
    files = sorted(str(path) for path in folder.glob("*.html"))
    run = subprocess.run(  # noqa: S603 - our own command line
        vnu_command() + files, capture_output=True, text=True, timeout=600, check=False
    )
    try:
        messages = json.loads(run.stdout)["messages"]
    except (json.JSONDecodeError, KeyError):
        pytest.fail(f"The checker gave no report (exit {run.returncode}): {run.stderr[-2000:]}")
    return [
        (
            Path(urllib.parse.unquote(message.get("url", "?"))).stem,
            message.get("lastLine", "?"),
            message.get("message", ""),
        )
        for message in messages
        # "non-document-error": a file the checker could not read counts as a failure too.
        if message.get("type") in ("error", "non-document-error")
    ]


def test_every_page_and_fragment_is_valid_html(live_server, settings, tmp_path):
    vnu_command()  # fail early, before building anything, when the checker is missing
    settings.WRITE_RATE_LIMIT = 0
    build()
    documents = render_all(live_server, settings, extra=preview_pages())
    documents[CANARY[0]] = wrap(CANARY[1], "en", CANARY[0])
    errors = check(documents, tmp_path)
    assert any(page == CANARY[0] for page, _line, _message in errors), (
        "The checker did not report the canary's error: it did not check the pages."
    )
    errors = [error for error in errors if error[0] != CANARY[0]]
    report = "\n".join(f"{page}.html:{line}: {message}" for page, line, message in errors)
    assert not errors, f"{len(errors)} Nu HTML Checker errors:\n{report}"
    assert len(documents) > 80  # every page and fragment above, in both languages

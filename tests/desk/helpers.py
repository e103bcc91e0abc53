"""The change form as the admin would post it back, built from the rows as they are."""

import re
from html.parser import HTMLParser

from django.urls import reverse
from django.utils import timezone
from django.utils.datastructures import MultiValueDict

from dialogue_portal.desk.conflicts import LOADED
from publications.models import Publication


def change_url(publication):
    return reverse("admin:publications_publication_change", args=[publication.pk])


def loaded_state(client, url):
    """The hidden field a browser would send back from the form at ``url`` opened now: the
    state it was loaded from (``dialogue_portal.desk.conflicts``)."""
    page = client.get(url)
    assert page.status_code == 200, page.status_code
    found = re.search(rf'name="{LOADED}" value="([^"]+)"', page.content.decode())
    assert found, f"no {LOADED} in the form at {url}"
    return {LOADED: found.group(1)}


def post_form(client, url, data, **kwargs):
    """POST ``data`` to the change form (or revert page) at ``url`` as a browser that has
    just opened it would: with the state the form was loaded from."""
    return client.post(url, {**data, **loaded_state(client, url)}, **kwargs)


def change_form(publication, *, status=True, **overrides):
    """POST data of the publication's change form, unchanged unless ``overrides`` say so.
    ``authors`` (people in byline order), ``topics`` (ids) and ``files`` are special keys."""
    publication = Publication.objects.get(pk=publication.pk)
    data = {
        "kind": publication.kind,
        "title": publication.title,
        "subtitle": publication.subtitle,
        "slug": publication.slug,
        "doi": publication.doi,
        "summary": publication.summary,
        "body": publication.body,
        "language": publication.language,
        "banner_alt": publication.banner_alt,
        "banner_caption": publication.banner_caption,
        "banner_credit": publication.banner_credit,
        "project_part": publication.project_part or "",
        "project": publication.project_id or "",
        "programme": publication.programme_id or "",
        "translation_of": publication.translation_of_id or "",
        "featured": "on" if publication.featured else "",
        "topics": [str(pk) for pk in publication.topics.values_list("pk", flat=True)],
        "regions": [str(pk) for pk in publication.regions.values_list("pk", flat=True)],
        "audiences": [str(pk) for pk in publication.audiences.values_list("pk", flat=True)],
    }
    if status:
        data["status"] = publication.status
        when = timezone.localtime(publication.published_at) if publication.published_at else None
        data["published_at_0"] = when.strftime("%Y-%m-%d") if when else ""
        data["published_at_1"] = when.strftime("%H:%M:%S") if when else ""
    authorships = list(publication.authorships.order_by("order", "pk"))
    authors = overrides.pop("authors", None)
    if authors is not None:
        by_person = {a.person_id: a for a in authorships}
        rows = [(by_person.get(p.pk), p, n) for n, p in enumerate(authors, start=1)]
        dropped = [a for a in authorships if a.person_id not in {p.pk for p in authors}]
    else:
        rows = [(a, a.person, a.order) for a in authorships]
        dropped = []
    existing = [r for r in rows if r[0] is not None] + [(a, a.person, 0) for a in dropped]
    new = [r for r in rows if r[0] is None]
    forms = existing + new
    data["authorships-TOTAL_FORMS"] = str(len(forms))
    data["authorships-INITIAL_FORMS"] = str(len(existing))
    data["authorships-MIN_NUM_FORMS"] = "0"
    data["authorships-MAX_NUM_FORMS"] = "1000"
    for i, (authorship, person, order) in enumerate(forms):
        prefix = f"authorships-{i}-"
        data[prefix + "person"] = str(person.pk)
        data[prefix + "order"] = str(order)
        data[prefix + "byline_position"] = authorship.byline_position if authorship else ""
        data[prefix + "byline_position_ru"] = ""
        if authorship is not None:
            data[prefix + "id"] = str(authorship.pk)
            data[prefix + "publication"] = str(publication.pk)
            if authorship in dropped:
                data[prefix + "DELETE"] = "on"
    attachments = list(publication.attachments.order_by("order", "pk"))
    files = overrides.pop("files", {})
    data["attachments-TOTAL_FORMS"] = str(len(attachments) + len(files.get("new", [])))
    data["attachments-INITIAL_FORMS"] = str(len(attachments))
    data["attachments-MIN_NUM_FORMS"] = "0"
    data["attachments-MAX_NUM_FORMS"] = "1000"
    for i, attachment in enumerate(attachments):
        prefix = f"attachments-{i}-"
        data[prefix + "id"] = str(attachment.pk)
        data[prefix + "publication"] = str(publication.pk)
        data[prefix + "title"] = attachment.title
        data[prefix + "language"] = attachment.language
        data[prefix + "order"] = str(attachment.order)
        if attachment.pk in files.get("replace", {}):
            data[prefix + "file"] = files["replace"][attachment.pk]
    for j, upload in enumerate(files.get("new", []), start=len(attachments)):
        prefix = f"attachments-{j}-"
        data[prefix + "file"] = upload
        data[prefix + "title"] = "Full report"
        data[prefix + "language"] = "en"
        data[prefix + "order"] = "0"
    data.update(overrides)
    return data


class _FormParser(HTMLParser):
    """What a browser would send for the admin's change form: every named input, select
    and textarea inside ``<form id="…_form">`` with its current value (no submit buttons)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.data = MultiValueDict()
        self.inside = False
        self.select = None
        self.option = None
        self.textarea = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and attrs.get("id", "").endswith("_form"):
            self.inside = True
        if not self.inside:
            return
        name = attrs.get("name")
        if tag == "input" and name and "disabled" not in attrs:
            kind = attrs.get("type", "text")
            if kind in ("submit", "button", "file", "image", "reset"):
                return
            if kind in ("checkbox", "radio") and "checked" not in attrs:
                return
            self.data.appendlist(name, attrs.get("value", "on" if kind == "checkbox" else ""))
        elif tag == "select" and name:
            self.select = name
            self.multiple = "multiple" in attrs
            self.first = None
            self.chosen = False
        elif tag == "option" and self.select:
            if self.first is None:
                self.first = attrs.get("value", "")
            if "selected" in attrs:
                self.chosen = True
                self.data.appendlist(self.select, attrs.get("value", ""))
        elif tag == "textarea" and name:
            self.textarea = name
            self.data.appendlist(name, "")

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "select" and self.select:
            if not self.multiple and not self.chosen and self.first is not None:
                self.data.appendlist(self.select, self.first)  # a browser sends the first
            self.select = None
        elif tag == "textarea":
            self.textarea = None

    def handle_data(self, data):
        if self.textarea:
            values = self.data.getlist(self.textarea)
            values[-1] = (values[-1] + data).removeprefix("\n")
            self.data.setlist(self.textarea, values)


def form_data(response, **changes):
    """The change form in ``response`` as a browser would post it, with ``changes``."""
    parser = _FormParser()
    parser.feed(response.content.decode())
    data = {key: parser.data.getlist(key) for key in parser.data}
    data = {key: values[0] if len(values) == 1 else values for key, values in data.items()}
    data.update(changes)
    data.setdefault("_save", "Save")
    return data

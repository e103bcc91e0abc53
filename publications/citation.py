"""How to cite a publication: a formatted reference, BibTeX and RIS."""

from django.utils.formats import date_format
from django.utils.html import strip_tags

from dialogue_portal.core import links


def authorship_institution(authorship):
    """The institution a byline names: the one set on the authorship, else a current one."""
    return authorship.byline_institution


def publishers(publication):
    """The institutions behind a publication, in byline order, each once."""
    by_slug = {}
    for authorship in publication.authors:
        institution = authorship_institution(authorship)
        # By slug: a current affiliation stands in as an unsaved copy of the institution.
        if institution is not None:
            by_slug.setdefault(institution.slug, institution)
    return list(by_slug.values())


def topics_of(publication):
    """The publication's topics: the list the page already has, else from the database."""
    terms = getattr(publication, "terms", None)
    return terms["topic"] if terms else list(publication.topics.all())


def _join_names(names):
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def absolute_url(publication):
    return links.absolute_url(publication.get_absolute_url())


def formatted(publication):
    """A Chicago-style reference: Authors. “Title.” Kind. Publisher, date. URL."""
    people = [a.person for a in publication.authors]
    names = []
    for index, person in enumerate(people):
        names.append(
            person.citation_name if index == 0 else f"{person.given_name} {person.family_name}"
        )
    parts = []
    if names:
        parts.append(_join_names(names).rstrip(".") + ".")
    title = publication.title + (f": {publication.subtitle}" if publication.subtitle else "")
    parts.append(f"“{title}.”")
    parts.append(f"{publication.get_kind_display()}.")
    publisher = ", ".join(i.short_name or i.name for i in publishers(publication))
    date = date_format(publication.published_at, "DATE_FORMAT") if publication.published_at else ""
    tail = ", ".join(part for part in (publisher, date) if part)
    if tail:
        parts.append(f"{tail}.")
    # A DOI is the persistent link: cite it instead of the page's address.
    parts.append(publication.doi_url or absolute_url(publication))
    return " ".join(parts)


def _bibtex_escape(text):
    replacements = {
        "\\": r"\textbackslash{}",
        "{": r"\{",
        "}": r"\}",
        "&": r"\&",
        "%": r"\%",
        "$": r"\$",
        "#": r"\#",
        "_": r"\_",
        "~": r"\textasciitilde{}",
        "^": r"\^{}",
    }
    return "".join(replacements.get(ch, ch) for ch in text)


def bibtex_key(publication):
    first = publication.authors[0].person.family_name if publication.authors else "anon"
    year = publication.published_at.year if publication.published_at else "nd"
    word = "".join(ch for ch in publication.slug.split("-")[0] if ch.isalnum())
    return "".join(ch for ch in f"{first}{year}{word}" if ch.isascii() and ch.isalnum()) or "ref"


def bibtex(publication):
    entry_type = (
        "techreport"
        if publication.kind in ("report", "conference-report", "occasional-paper", "briefing")
        else "article"
    )
    fields = [
        (
            "title",
            publication.title + (f": {publication.subtitle}" if publication.subtitle else ""),
        ),
        ("author", " and ".join(a.person.citation_name for a in publication.authors)),
    ]
    if entry_type == "techreport":
        fields.append(("institution", " and ".join(i.name for i in publishers(publication))))
        fields.append(("type", publication.get_kind_display()))
    else:
        fields.append(("journal", " and ".join(i.name for i in publishers(publication))))
    if publication.published_at:
        fields += [
            ("year", str(publication.published_at.year)),
            ("month", publication.published_at.strftime("%b").lower()),
        ]
    fields += [
        (
            "language",
            {"en": "english", "ru": "russian"}.get(publication.language, publication.language),
        ),
        ("doi", publication.doi),
        ("url", absolute_url(publication)),
        ("abstract", strip_tags(publication.summary)),
    ]
    lines = [f"@{entry_type}{{{bibtex_key(publication)},"]
    for name, value in fields:
        if not value:
            continue
        braces = "{%s}" if name != "month" else "%s"
        # A DOI is read verbatim (biblatex); validation keeps braces and backslashes out.
        text = value if name == "doi" else _bibtex_escape(value)
        lines.append(f"  {name} = {braces % text},")
    lines.append("}")
    return "\n".join(lines) + "\n"


def ris(publication):
    lines = [("TY", "RPRT" if publication.kind != "article" else "JOUR")]
    lines += [("AU", a.person.citation_name) for a in publication.authors]
    lines.append(("TI", publication.title))
    if publication.subtitle:
        lines.append(("T2", publication.subtitle))
    if publication.published_at:
        lines += [
            ("PY", str(publication.published_at.year)),
            ("DA", publication.published_at.strftime("%Y/%m/%d")),
        ]
    lines += [("PB", i.name) for i in publishers(publication)]
    lines += [
        ("LA", publication.language),
        ("M3", publication.get_kind_display()),
        ("UR", absolute_url(publication)),
        ("AB", " ".join(strip_tags(publication.summary).split())),
    ]
    if publication.doi:
        lines.append(("DO", publication.doi))
    lines += [("KW", topic.name) for topic in topics_of(publication)]
    lines.append(("ER", ""))
    return (
        "\r\n".join(
            # One line per value: a line break inside a title must not start a new record.
            f"{tag}  - {' '.join(value.split())}".rstrip()
            for tag, value in lines
        )
        + "\r\n"
    )

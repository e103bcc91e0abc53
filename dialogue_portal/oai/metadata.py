"""What a harvester receives about a publication: its OAI identifier, its sets and its metadata
in ``oai_dc`` and ``oai_openaire`` (OpenAIRE Guidelines for Literature Repositories v4).

Everything is built as lxml elements, never by pasting strings, so editors' text is always
escaped. The same builders feed the protocol's answers and the records' fingerprints
(``services.fingerprint``): whatever a harvester would see is what moves a datestamp.
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.db.models import Prefetch
from django.utils import translation
from lxml import etree

from publications.citation import publishers
from publications.models import Attachment, Publication, authors_prefetch

OAI_NS = "http://www.openarchives.org/OAI/2.0/"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
DC_NS = "http://purl.org/dc/elements/1.1/"
OAI_DC_NS = "http://www.openarchives.org/OAI/2.0/oai_dc/"
OAIRE_NS = "http://namespace.openaire.eu/schema/oaire/"
DATACITE_NS = "http://datacite.org/schema/kernel-4"
XML_NS = "http://www.w3.org/XML/1998/namespace"

OAI_DC_SCHEMA = "http://www.openarchives.org/OAI/2.0/oai_dc.xsd"
OPENAIRE_SCHEMA = "https://www.openaire.eu/schema/repo-lit/4.0/openaire.xsd"

# COAR Resource Types (the OpenAIRE v4 vocabulary), one per kind of publication:
#   report            → report (c_93fc)
#   conference report → conference object (c_c94f): COAR defines it as "all kind of digital
#                       resources contributed to a conference, like conference presentation
#                       (slides), conference report, ...", which is what the dialogue's
#                       rapporteur reports are; they are neither a paper read at the
#                       conference (c_5794) nor a volume of proceedings (c_f744).
#   article           → journal article (c_6501), as the portal's articles are journal-style
#   commentary        → contribution to journal (c_3e5a): short pieces in a periodical outlet
#   briefing paper    → policy report (c_186u): a briefing for decision makers
#   occasional paper  → working paper (c_8042): a numbered paper in the institution's series
#   interview         → other (c_1843): COAR has no interview type among literature
COAR_TYPES = {
    Publication.Kind.REPORT: ("c_93fc", "report"),
    Publication.Kind.CONFERENCE_REPORT: ("c_c94f", "conference object"),
    Publication.Kind.ARTICLE: ("c_6501", "journal article"),
    Publication.Kind.COMMENTARY: ("c_3e5a", "contribution to journal"),
    Publication.Kind.BRIEFING: ("c_186u", "policy report"),
    Publication.Kind.OCCASIONAL_PAPER: ("c_8042", "working paper"),
    Publication.Kind.INTERVIEW: ("c_1843", "other"),
}
COAR_TYPE_URI = "http://purl.org/coar/resource_type/{}"
OPEN_ACCESS = ("http://purl.org/coar/access_right/c_abf2", "open access")
VERSION_OF_RECORD = ("http://purl.org/coar/version/c_970fb48d4fbd8a85", "VoR")
# ISO 639-3, as the OpenAIRE guidelines ask for dc:language.
LANGUAGE_CODES = {"en": "eng", "ru": "rus"}
PDF = "application/pdf"

SET_KINDS = ("type", "topic", "project", "language")


def repository_host():
    """The host in every OAI identifier: the site's own name, never the request's Host."""
    return urlsplit(settings.SITE_URL).hostname or "localhost"


def oai_identifier(publication_id):
    return f"oai:{repository_host()}:publication/{publication_id}"


def publication_id_from(identifier):
    """The publication id an OAI identifier names, or None when it is not one of ours."""
    prefix = f"oai:{repository_host()}:publication/"
    if not identifier.startswith(prefix):
        return None
    number = identifier[len(prefix) :]
    if not number.isascii() or not number.isdigit() or len(number) > 18:
        return None
    return int(number)


def set_specs(publication, topics):
    """The sets a publication belongs to, leaves only (``type:report``, ``topic:…``)."""
    specs = [f"type:{publication.kind}", f"language:{publication.language}"]
    if publication.project_id:
        specs.append(f"project:{publication.project.slug}")
    specs.extend(f"topic:{topic.slug}" for topic in topics)
    return specs


def with_parents(specs):
    """Leaves and their parent sets: a harvest of ``topic`` takes every ``topic:…``."""
    found = []
    for spec in specs:
        for parent in (spec.split(":", 1)[0], spec):
            if parent not in found:
                found.append(parent)
    return found


def publications_for_records(ids):
    """The publications behind ``ids`` with all their metadata, in a fixed number of queries
    (the row with project and programme, authors with institutions, attachments, topics,
    regions): five, whatever the number of publications."""
    return (
        Publication.objects.filter(pk__in=ids)
        .select_related("project", "programme")
        .defer("body", "search_vector", "banner_renditions")
        .prefetch_related(
            authors_prefetch(),
            Prefetch("attachments", queryset=Attachment.objects.order_by("order", "pk")),
            "topics",
            "regions",
        )
    )


def _absolute(path):
    return settings.SITE_URL + path


def _sub(parent, tag, text=None, **attributes):
    element = etree.SubElement(parent, tag, {k: str(v) for k, v in attributes.items()})
    if text is not None:
        element.text = text
    return element


class Described:
    """The facts both formats print, read once from a prefetched publication."""

    def __init__(self, publication):
        with translation.override(settings.LANGUAGE_CODE):
            self.url = _absolute(publication.get_absolute_url())
            self.files = [
                (_absolute(attachment.get_absolute_url()), attachment)
                for attachment in publication.attachments.all()
            ]
        self.publication = publication
        self.title = publication.title
        self.subtitle = publication.subtitle
        self.authorships = list(publication.authorships.all())
        self.topics = list(publication.topics.all())
        self.regions = list(publication.regions.all())
        self.publishers = [i.name for i in publishers(publication)] or [settings.SITE_NAME]
        self.issued = publication.published_at.date().isoformat()
        self.language = LANGUAGE_CODES.get(publication.language, publication.language)
        self.coar_code, self.coar_label = COAR_TYPES.get(publication.kind, ("c_1843", "other"))
        # Identifiers of the publication beyond its landing page.
        self.other_identifiers = [("DOI", publication.doi)] if publication.doi else []


def oai_dc(publication):
    """``<oai_dc:dc>`` (simple Dublin Core) for one publication."""
    facts = Described(publication)
    root = etree.Element(
        f"{{{OAI_DC_NS}}}dc",
        nsmap={"oai_dc": OAI_DC_NS, "dc": DC_NS, "xsi": XSI_NS},
    )
    root.set(f"{{{XSI_NS}}}schemaLocation", f"{OAI_DC_NS} {OAI_DC_SCHEMA}")
    dc = f"{{{DC_NS}}}"
    _sub(root, dc + "title", facts.title)
    for authorship in facts.authorships:
        _sub(root, dc + "creator", authorship.person.citation_name)
    for topic in facts.topics:
        _sub(root, dc + "subject", topic.name)
    _sub(root, dc + "description", publication.summary)
    for name in facts.publishers:
        _sub(root, dc + "publisher", name)
    _sub(root, dc + "date", facts.issued)
    _sub(root, dc + "type", facts.coar_label)
    _sub(root, dc + "type", COAR_TYPE_URI.format(facts.coar_code))
    if facts.files:
        _sub(root, dc + "format", PDF)
    _sub(root, dc + "identifier", facts.url)
    for scheme, value in facts.other_identifiers:
        _sub(root, dc + "identifier", f"https://doi.org/{value}" if scheme == "DOI" else value)
    for url, _attachment in facts.files:
        _sub(root, dc + "relation", url)
    _sub(root, dc + "language", facts.language)
    if publication.project_id:
        _sub(root, dc + "relation", publication.project.name)
    for region in facts.regions:
        _sub(root, dc + "coverage", region.name)
    _sub(root, dc + "rights", OPEN_ACCESS[1])
    _sub(root, dc + "rights", OPEN_ACCESS[0])
    return root


def oai_openaire(publication):
    """``<oaire:resource>`` after the OpenAIRE Guidelines for Literature Repositories v4."""
    facts = Described(publication)
    root = etree.Element(
        f"{{{OAIRE_NS}}}resource",
        nsmap={
            "oaire": OAIRE_NS,
            "datacite": DATACITE_NS,
            "dc": DC_NS,
            "xsi": XSI_NS,
        },
    )
    root.set(f"{{{XSI_NS}}}schemaLocation", f"{OAIRE_NS} {OPENAIRE_SCHEMA}")
    dc, dcite, oaire = f"{{{DC_NS}}}", f"{{{DATACITE_NS}}}", f"{{{OAIRE_NS}}}"
    lang = f"{{{XML_NS}}}lang"

    titles = _sub(root, dcite + "titles")
    _sub(titles, dcite + "title", facts.title, **{lang: publication.language})
    if facts.subtitle:
        _sub(
            titles,
            dcite + "title",
            facts.subtitle,
            titleType="Subtitle",
            **{lang: publication.language},
        )
    if facts.authorships:
        creators = _sub(root, dcite + "creators")
        for authorship in facts.authorships:
            person = authorship.person
            creator = _sub(creators, dcite + "creator")
            _sub(creator, dcite + "creatorName", person.citation_name, nameType="Personal")
            _sub(creator, dcite + "givenName", person.given_name)
            _sub(creator, dcite + "familyName", person.family_name)
            if person.orcid:
                _sub(
                    creator,
                    dcite + "nameIdentifier",
                    person.orcid,
                    nameIdentifierScheme="ORCID",
                    schemeURI="https://orcid.org",
                )
            institution = authorship.byline_institution
            if institution is not None:
                _sub(creator, dcite + "affiliation", institution.name)
    if facts.other_identifiers:
        alternates = _sub(root, dcite + "alternateIdentifiers")
        for scheme, value in facts.other_identifiers:
            _sub(alternates, dcite + "alternateIdentifier", value, alternateIdentifierType=scheme)
    dates = _sub(root, dcite + "dates")
    _sub(dates, dcite + "date", facts.issued, dateType="Issued")
    _sub(root, dc + "language", facts.language)
    for name in facts.publishers:
        _sub(root, dc + "publisher", name)
    _sub(
        root,
        oaire + "resourceType",
        facts.coar_label,
        resourceTypeGeneral="literature",
        uri=COAR_TYPE_URI.format(facts.coar_code),
    )
    _sub(root, dc + "description", publication.summary)
    if facts.files:
        _sub(root, dc + "format", PDF)
    _sub(root, dcite + "identifier", facts.url, identifierType="URL")
    _sub(root, dcite + "rights", OPEN_ACCESS[1], rightsURI=OPEN_ACCESS[0])
    if facts.topics:
        subjects = _sub(root, dcite + "subjects")
        for topic in facts.topics:
            _sub(subjects, dcite + "subject", topic.name, **{lang: "en"})
    for region in facts.regions:
        _sub(root, dc + "coverage", region.name)
    _sub(root, oaire + "version", VERSION_OF_RECORD[1], uri=VERSION_OF_RECORD[0])
    for url, _attachment in facts.files:
        _sub(
            root,
            oaire + "file",
            url,
            accessRightsURI=OPEN_ACCESS[0],
            mimeType=PDF,
            objectType="fulltext",
        )
    return root


FORMATS = {
    "oai_dc": (oai_dc, OAI_DC_SCHEMA, OAI_DC_NS),
    "oai_openaire": (oai_openaire, OPENAIRE_SCHEMA, OAIRE_NS),
}

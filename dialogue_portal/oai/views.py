"""The OAI-PMH 2.0 endpoint at /oai/ (GET and POST), answering in XML built with lxml."""

import datetime as dt

from django.conf import settings
from django.core.cache import cache
from django.db.models import Q
from django.http import HttpResponse
from django.utils import timezone, translation
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods
from lxml import etree

from dialogue_portal.oai import protocol
from dialogue_portal.oai.metadata import (
    FORMATS,
    OAI_NS,
    XSI_NS,
    oai_identifier,
    publication_id_from,
    publications_for_records,
)
from dialogue_portal.oai.models import Record
from dialogue_portal.oai.protocol import OaiError, datestamp
from publications.models import Project, Publication, Topic

OAI_SCHEMA = "http://www.openarchives.org/OAI/2.0/ http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd"
PMH = f"{{{OAI_NS}}}"
METADATA_CACHE_SECONDS = 24 * 3600


def base_url():
    return settings.SITE_URL + "/oai/"


def _sub(parent, name, text=None, **attributes):
    element = etree.SubElement(parent, PMH + name, attributes)
    if text is not None:
        element.text = text
    return element


class Answer:
    """One response document: ``<OAI-PMH>`` with its response date and request echo."""

    def __init__(self, now):
        self.root = etree.Element(PMH + "OAI-PMH", nsmap={None: OAI_NS, "xsi": XSI_NS})
        self.root.set(f"{{{XSI_NS}}}schemaLocation", OAI_SCHEMA)
        _sub(self.root, "responseDate", datestamp(now))
        self.request = _sub(self.root, "request", base_url())

    def echo(self, arguments):
        for key, value in sorted(arguments.items()):
            self.request.set(key, value)

    def error(self, error):
        _sub(self.root, "error", error.message, code=error.code)

    def body(self, verb):
        return _sub(self.root, verb)

    def response(self):
        content = etree.tostring(self.root, xml_declaration=True, encoding="UTF-8")
        response = HttpResponse(content, content_type="text/xml; charset=utf-8")
        response["Cache-Control"] = "no-cache"
        return response


@csrf_exempt  # POST is the protocol's other way to ask, not a write: nothing changes.
@require_http_methods(["GET", "HEAD", "POST"])
def endpoint(request):
    # One language for every harvester, whatever its Accept-Language: the site's default.
    with translation.override(settings.LANGUAGE_CODE):
        return _answer(request)


def _answer(request):
    now = timezone.now()
    answer = Answer(now)
    params = request.POST if request.method == "POST" else request.GET
    try:
        verb, arguments = protocol.parse(params)
    except OaiError as error:
        answer.error(error)
        return answer.response()
    try:
        HANDLERS[verb](answer, arguments, now)
        answer.echo(arguments)
    except OaiError as error:
        for child in list(answer.root)[2:]:
            answer.root.remove(child)
        if error.echoes_arguments:
            answer.echo(arguments)
        answer.error(error)
    return answer.response()


def identify(answer, arguments, now):
    body = answer.body("Identify")
    earliest = (
        Record.objects.visible(now).order_by("datestamp").values_list("datestamp", flat=True)
    ).first()
    _sub(body, "repositoryName", settings.SITE_NAME)
    _sub(body, "baseURL", base_url())
    _sub(body, "protocolVersion", "2.0")
    _sub(body, "adminEmail", settings.OAI_ADMIN_EMAIL)
    _sub(body, "earliestDatestamp", datestamp(earliest or now))
    _sub(body, "deletedRecord", "persistent")
    _sub(body, "granularity", protocol.GRANULARITY)


def _record_for(identifier, now):
    publication_id = publication_id_from(identifier)
    record = (
        Record.objects.visible(now).filter(publication_id=publication_id).first()
        if publication_id is not None
        else None
    )
    if record is None:
        raise OaiError("idDoesNotExist", "No item has that identifier in this repository.")
    return record


def list_metadata_formats(answer, arguments, now):
    if "identifier" in arguments:
        record = _record_for(arguments["identifier"], now)
        if record.deleted:
            raise OaiError("noMetadataFormats", "The item is deleted: no metadata to give.")
    body = answer.body("ListMetadataFormats")
    for prefix, (_build, schema, namespace) in FORMATS.items():
        entry = _sub(body, "metadataFormat")
        _sub(entry, "metadataPrefix", prefix)
        _sub(entry, "schema", schema)
        _sub(entry, "metadataNamespace", namespace)


def list_sets(answer, arguments, now):
    if "resumptionToken" in arguments:
        raise OaiError("badResumptionToken", "ListSets is answered whole: no token is valid.")
    body = answer.body("ListSets")

    def add(spec, name):
        entry = _sub(body, "set")
        _sub(entry, "setSpec", spec)
        _sub(entry, "setName", name)

    add("type", "Publications by type")
    for value, label in Publication.Kind.choices:
        add(f"type:{value}", str(label))
    add("topic", "Publications by topic")
    for slug, name in Topic.objects.order_by("name", "pk").values_list("slug", "name"):
        add(f"topic:{slug}", name)
    add("project", "Publications by project")
    for slug, name in Project.objects.order_by("name", "pk").values_list("slug", "name"):
        add(f"project:{slug}", name)
    add("language", "Publications by language")
    for code, label in settings.LANGUAGES:
        add(f"language:{code}", str(label))


def _metadata_prefix(arguments):
    prefix = arguments["metadataPrefix"]
    if prefix not in FORMATS:
        raise OaiError("cannotDisseminateFormat", f"'{prefix}' is not a format of this repository.")
    return prefix


def _header(parent, record):
    header = _sub(parent, "header")
    if record.deleted:
        header.set("status", "deleted")
    _sub(header, "identifier", oai_identifier(record.publication_id))
    _sub(header, "datestamp", datestamp(record.datestamp))
    for spec in record.specs:
        _sub(header, "setSpec", spec)
    return header


def _write_records(body, records, prefix):
    """Each record with its metadata. A record's metadata is cached under its fingerprint,
    which changes with anything the metadata shows, so a cached copy is never stale; only
    the missing ones are built, from their publications (five queries, for any number)."""
    build = FORMATS[prefix][0]
    keys = {
        record.publication_id: f"oai:{prefix}:{record.publication_id}:{record.fingerprint}"
        for record in records
        if not record.deleted
    }
    fragments = cache.get_many(keys.values()) if keys else {}
    missing = [pk for pk, key in keys.items() if key not in fragments]
    if missing:
        built = {}
        for publication in publications_for_records(missing).published():
            built[keys[publication.pk]] = etree.tostring(build(publication), encoding="UTF-8")
        cache.set_many(built, METADATA_CACHE_SECONDS)
        fragments.update(built)
    for record in records:
        fragment = fragments.get(keys.get(record.publication_id))
        if fragment is None:
            # Withdrawn a moment ago, before its record was refreshed: say so.
            record.deleted = True
        element = _sub(body, "record")
        _header(element, record)
        if fragment is not None:
            _sub(element, "metadata").append(etree.fromstring(fragment))


def get_record(answer, arguments, now):
    prefix = _metadata_prefix(arguments)
    record = _record_for(arguments["identifier"], now)
    _write_records(answer.body("GetRecord"), [record], prefix)


def _harvest_list(answer, arguments, now, verb):
    if "resumptionToken" in arguments:
        state = protocol.read_token(arguments["resumptionToken"], verb)
    else:
        prefix = _metadata_prefix(arguments)
        state = {
            "v": 1,
            "verb": verb,
            "p": prefix,
            "s": arguments.get("set"),
            "f": arguments.get("from"),
            "u": arguments.get("until"),
            "t": now.isoformat(),
            "c": None,
            "n": 0,
            "z": None,
        }
    try:
        lower, upper = protocol.date_window(state["f"], state["u"])
        started = dt.datetime.fromisoformat(state["t"])
        position = state["c"]
        if position is not None:
            position = (dt.datetime.fromisoformat(position[0]), int(position[1]))
        cursor = int(state["n"])
        prefix = state["p"]
    except (KeyError, TypeError, ValueError, IndexError, OaiError):
        raise OaiError("badResumptionToken", "The resumptionToken is invalid.") from None
    if prefix not in FORMATS:
        raise OaiError("badResumptionToken", "The resumptionToken is invalid.")

    records = Record.objects.visible(now).filter(created__lte=started)
    if lower is not None:
        records = records.filter(datestamp__gte=lower)
    if upper is not None:
        records = records.filter(datestamp__lt=upper)
    if state["s"]:
        records = records.filter(memberships__spec=state["s"])
    size = state["z"]
    if size is None:
        size = records.count()
    page = records
    if position is not None:
        # After the last record sent, in harvest order. ``created >= ...`` on its own lets
        # the index start there; the OR alone would be a filter over every earlier record.
        page = page.filter(created__gte=position[0]).filter(
            Q(created__gt=position[0]) | Q(created=position[0], pk__gt=position[1])
        )
    page_size = settings.OAI_PAGE_SIZE
    found = list(page.in_harvest_order()[: page_size + 1])
    more, found = len(found) > page_size, found[:page_size]
    if not found:
        raise OaiError("noRecordsMatch", "No records match these arguments.")

    body = answer.body(verb)
    if verb == "ListRecords":
        _write_records(body, found, prefix)
    else:
        for record in found:
            _header(body, record)
    if more or position is not None:
        token = _sub(body, "resumptionToken", completeListSize=str(size), cursor=str(cursor))
        if more:
            last = found[-1]
            state = {
                **state,
                "c": [last.created.isoformat(), last.pk],
                "n": cursor + len(found),
                "z": size,
            }
            expires = now + dt.timedelta(seconds=protocol.token_seconds())
            token.set("expirationDate", datestamp(expires))
            token.text = protocol.make_token(state)


def list_identifiers(answer, arguments, now):
    _harvest_list(answer, arguments, now, "ListIdentifiers")


def list_records(answer, arguments, now):
    _harvest_list(answer, arguments, now, "ListRecords")


HANDLERS = {
    "Identify": identify,
    "ListMetadataFormats": list_metadata_formats,
    "ListSets": list_sets,
    "GetRecord": get_record,
    "ListIdentifiers": list_identifiers,
    "ListRecords": list_records,
}

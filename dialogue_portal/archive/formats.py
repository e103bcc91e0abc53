"""Reading what an archive says: ``manifest.json`` (the full format, as export writes
it), ``manifest.csv`` (one row per publication, names instead of slugs), and RIS and
BibTeX files (references with their PDFs). Each gives registries (people, institutions,
terms by slug) and records in the manifest's shape, each with the place it came from
("record 3", "line 7", "refs.bib entry 2") for the report."""

import csv
import io
import json
import re
from dataclasses import dataclass, field

from django.conf import settings
from django.utils.text import slugify
from django.utils.translation import gettext as _

from dialogue_portal.archive.exporter import TERM_KINDS
from dialogue_portal.core import spreadsheet

RECORD_KEYS = {
    "id", "slug", "kind", "language", "status", "published_at", "featured", "title",
    "subtitle", "summary", "body", "translation_of", "project", "project_part", "programme",
    "topics", "regions", "audiences", "authors", "banner", "attachments",
}  # fmt: skip
CSV_COLUMNS = [
    "id", "slug", "kind", "language", "status", "published_at", "featured", "title",
    "subtitle", "summary", "body", "translation_of", "authors", "topics", "regions",
    "audiences", "project", "project_part", "programme", "banner", "banner_alt",
    "banner_caption", "banner_credit", "attachments",
]  # fmt: skip
LIST_SEPARATOR = ";"


class ManifestRefused(Exception):
    """The manifest as a whole cannot be read; the message names the line."""


@dataclass
class Record:
    place: str
    data: dict | None
    error: str = ""
    from_spreadsheet: bool = False


@dataclass
class Parsed:
    registries: dict = field(default_factory=lambda: {k: {} for k in REGISTRY_KINDS})
    # Registries made from names (CSV, RIS, BibTeX): create what is missing, never overwrite.
    soft: bool = False
    records: list = field(default_factory=list)
    redirects: list = field(default_factory=list)  # as the manifest has them, unchecked


REGISTRY_KINDS = ("institutions", "people", *TERM_KINDS)


@dataclass
class Meter:
    """How many characters a reader passed over. Every reader of uploaded text runs in one
    pass, so this grows linearly with its input; tests/archive/test_readers_linear.py pins
    that with inputs doubling in size, which wall-clock time could not do reliably."""

    steps: int = 0

    def add(self, count):
        self.steps += count


def check_records(number, name):
    """ManifestRefused once a file holds more records than ARCHIVE_MAX_RECORDS."""
    if number > settings.ARCHIVE_MAX_RECORDS:
        raise ManifestRefused(
            _("%(name)s holds more than %(limit)s records; split it into several archives.")
            % {"name": name, "limit": settings.ARCHIVE_MAX_RECORDS}
        )


def check_nesting(text, name, meter):
    """ManifestRefused when JSON nests deeper than ARCHIVE_MAX_NESTING (Python's reader would
    recurse into it until it fails). One pass over the text, strings skipped."""
    depth, limit = 0, settings.ARCHIVE_MAX_NESTING
    for token in JSON_TOKEN.finditer(text):
        mark = token.group()
        if mark in "[{":
            depth += 1
            if depth > limit:
                line = text.count("\n", 0, token.start()) + 1
                raise ManifestRefused(
                    _("%(name)s, line %(line)s: nested deeper than %(limit)s levels.")
                    % {"name": name, "line": line, "limit": limit}
                )
        elif mark in "]}":
            depth -= 1
    meter.add(len(text))


JSON_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]')


def decode(data, name):
    """UTF-8 text (a BOM allowed), or ManifestRefused naming the line that is not."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise ManifestRefused(
            _("%(name)s, line %(line)s: not UTF-8 text (%(reason)s).")
            % {"name": name, "line": line, "reason": error.reason}
        ) from None


# --- manifest.json -------------------------------------------------------------------


def parse_json(data, name="manifest.json", *, meter=None):
    text = decode(data, name)
    check_nesting(text, name, meter or Meter())
    try:
        manifest = json.loads(text)
    except json.JSONDecodeError as error:
        raise ManifestRefused(
            _("%(name)s, line %(line)s: not valid JSON (%(reason)s).")
            % {"name": name, "line": error.lineno, "reason": error.msg}
        ) from None
    if not isinstance(manifest, dict) or not isinstance(manifest.get("publications"), list):
        raise ManifestRefused(_("%(name)s: no list of publications.") % {"name": name})
    unknown = set(manifest) - {"format", "version", "publications", "redirects", *REGISTRY_KINDS}
    if unknown:
        raise ManifestRefused(
            _("%(name)s: unknown sections: %(keys)s.")
            % {"name": name, "keys": ", ".join(sorted(unknown))}
        )
    parsed = Parsed()
    if not isinstance(manifest.get("redirects", []), list):
        raise ManifestRefused(_("%(name)s: “redirects” is not a list.") % {"name": name})
    parsed.redirects = manifest.get("redirects", [])
    for kind in REGISTRY_KINDS:
        entries = manifest.get(kind, [])
        if not isinstance(entries, list):
            raise ManifestRefused(
                _("%(name)s: “%(kind)s” is not a list.") % {"name": name, "kind": kind}
            )
        for number, entry in enumerate(entries, start=1):
            if not isinstance(entry, dict) or not isinstance(entry.get("slug"), str):
                raise ManifestRefused(
                    _("%(name)s: %(kind)s entry %(number)s has no slug.")
                    % {"name": name, "kind": kind, "number": number}
                )
            parsed.registries[kind][entry["slug"]] = entry
    for number, entry in enumerate(manifest["publications"], start=1):
        check_records(number, name)
        place = _("record %(number)s") % {"number": number}
        if not isinstance(entry, dict):
            parsed.records.append(Record(place, None, _("not an object")))
            continue
        unknown = sorted(set(entry) - RECORD_KEYS)
        if unknown:
            parsed.records.append(
                Record(place, entry, _("unknown fields: %(keys)s") % {"keys": ", ".join(unknown)})
            )
            continue
        parsed.records.append(Record(place, entry))
    return parsed


# --- manifest.csv ----------------------------------------------------------------------


def parse_csv(data, name="manifest.csv", *, meter=None):
    """One publication per row. Lists are separated by “;”. ``authors``: “Given Family”,
    optionally “| position | institution name”; terms by name; ``attachments``: “path |
    title | language”. People, institutions and terms missing from the site are created
    from their names."""
    text = decode(data, name)
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = reader.fieldnames or []
    unknown = [column for column in header if column not in CSV_COLUMNS]
    if unknown:
        raise ManifestRefused(
            _("%(name)s, line 1: unknown columns: %(columns)s.")
            % {"name": name, "columns": ", ".join(unknown)}
        )
    parsed = Parsed(soft=True)
    for row in _csv_rows(reader, name):
        check_records(len(parsed.records) + 1, name)
        place = _("line %(line)s") % {"line": reader.line_num}
        if None in row:
            parsed.records.append(Record(place, None, _("more cells than columns")))
            continue
        formula = next(
            (column for column, value in row.items() if value and spreadsheet.is_formula(value)),
            None,
        )
        if formula:
            parsed.records.append(
                Record(
                    place,
                    None,
                    _(
                        "“%(column)s” starts with “%(char)s”: a spreadsheet would run it as a "
                        "formula. Refused; start the cell with an apostrophe to keep the text."
                    )
                    % {"column": formula, "char": spreadsheet.formula_start(row[formula])},
                )
            )
            continue
        row = {
            column: spreadsheet.unescape(value)
            for column, value in row.items()
            if value is not None
        }
        parsed.records.append(Record(place, _csv_record(row, parsed), from_spreadsheet=True))
    (meter or Meter()).add(len(text))  # the csv module reads each character once
    return parsed


def _csv_rows(reader, name):
    """The reader's rows; ManifestRefused naming the line where the csv module gives up (a
    cell over its field size limit, a NUL)."""
    try:
        yield from reader
    except csv.Error as error:
        raise ManifestRefused(
            _("%(name)s, line %(line)s: not readable as CSV (%(reason)s).")
            % {"name": name, "line": reader.line_num + 1, "reason": error}
        ) from None


def _split(value, separator=LIST_SEPARATOR):
    return [part.strip() for part in (value or "").split(separator) if part.strip()]


def _named(parsed, kind, name, **extra):
    """The slug of a term, institution or person known by name (registered if new)."""
    slug = slugify(name)[:120] or None
    if slug and slug not in parsed.registries[kind]:
        parsed.registries[kind][slug] = {"slug": slug, "name": name, **extra}
    return slug


def _person(parsed, full_name):
    given, _space, family = full_name.strip().rpartition(" ")
    if not given:
        given, family = family, family
    slug = slugify(full_name)[:200]
    if slug and slug not in parsed.registries["people"]:
        parsed.registries["people"][slug] = {
            "slug": slug,
            "given_name": given,
            "family_name": family,
        }
    return slug


def _csv_record(row, parsed):
    record = {key: row[key] for key in (
        "id", "slug", "kind", "language", "status", "published_at", "title", "subtitle",
        "summary", "body", "translation_of", "project_part",
    ) if row.get(key)}  # fmt: skip
    if row.get("featured"):
        record["featured"] = row["featured"]
    authors = []
    for entry in _split(row.get("authors")):
        name, position, institution = ([*entry.split("|"), "", ""])[:3]
        authors.append(
            {
                "person": _person(parsed, name),
                "position": position.strip(),
                "institution": _named(parsed, "institutions", institution.strip())
                if institution.strip()
                else None,
            }
        )
    record["authors"] = authors
    for kind in ("topics", "regions", "audiences"):
        record[kind] = [_named(parsed, kind, name) for name in _split(row.get(kind))]
    for kind, column in (("projects", "project"), ("programmes", "programme")):
        if row.get(column):
            record[column] = _named(parsed, kind, row[column].strip())
    if row.get("banner"):
        record["banner"] = {
            "file": row["banner"].strip(),
            "alt": row.get("banner_alt", ""),
            "caption": row.get("banner_caption", ""),
            "credit": row.get("banner_credit", ""),
        }
    attachments = []
    for entry in _split(row.get("attachments")):
        path, title, language = ([*entry.split("|"), "", ""])[:3]
        attachments.append(
            {
                "file": path.strip(),
                "title": title.strip() or path.strip(),
                "language": language.strip() or record.get("language", "en"),
            }
        )
    record["attachments"] = attachments
    return record


# --- RIS -------------------------------------------------------------------------------

RIS_KINDS = {"RPRT": "report", "JOUR": "article", "CONF": "conference-report",
             "CPAPER": "conference-report", "GEN": "report", "ELEC": "commentary"}  # fmt: skip
RIS_LINE = re.compile(r"^([A-Z][A-Z0-9])  - ?(.*)$")


def parse_ris(data, name, *, meter=None):
    text = decode(data, name)
    parsed = Parsed(soft=True)
    entry, start, number = None, 0, 0
    for line_number, line in enumerate(text.splitlines(), start=1):
        match = RIS_LINE.match(line.rstrip())
        if not match:
            continue
        tag, value = match.group(1), match.group(2).strip()
        if tag == "TY":
            entry, start = {"TY": [value]}, line_number
            continue
        if entry is None:
            continue
        if tag == "ER":
            number += 1
            check_records(number, name)
            place = _("%(name)s, entry %(number)s (line %(line)s)") % {
                "name": name, "number": number, "line": start}  # fmt: skip
            parsed.records.append(_ris_record(entry, parsed, place))
            entry = None
            continue
        entry.setdefault(tag, []).append(value)
    (meter or Meter()).add(len(text))  # each line is split off and matched once
    return parsed


def _first(entry, *tags):
    for tag in tags:
        if entry.get(tag):
            return entry[tag][0]
    return ""


def _reference_date(value):
    """RIS/BibTeX dates: “2019/05/01/”, “2019-05-01”, “2019”: an ISO date."""
    parts = [part for part in re.split(r"[/-]", value.strip()) if part]
    if not parts:
        return ""
    year, month, day = ([*parts, "01", "01"])[:3]
    return f"{year}-{month.zfill(2)}-{day.zfill(2)}"


def _ris_record(entry, parsed, place):
    title = _first(entry, "TI", "T1", "BT")
    record = {
        "id": _first(entry, "ID") or None,
        "kind": RIS_KINDS.get(_first(entry, "TY"), "report"),
        "title": title,
        "summary": _first(entry, "AB", "N2"),
        "published_at": _reference_date(_first(entry, "DA", "PY", "Y1")),
        "language": {"russian": "ru", "ru": "ru"}.get(_first(entry, "LA").lower(), "en"),
        "authors": [
            {"person": _person(parsed, _ris_name(name))}
            for name in entry.get("AU", []) + entry.get("A1", [])
        ],
        "topics": [_named(parsed, "topics", keyword) for keyword in entry.get("KW", [])],
        "attachments": [{"file": path, "title": title} for path in entry.get("L1", [])],
    }
    record["id"] = record["id"] or f"ris-{slugify(title)[:180]}"
    return Record(place, record, from_spreadsheet=False)


def _ris_name(value):
    """“Family, Given” → “Given Family”."""
    family, _comma, given = value.partition(",")
    return f"{given.strip()} {family.strip()}".strip()


# --- BibTeX ----------------------------------------------------------------------------

BIBTEX_KINDS = {
    "techreport": "report",
    "article": "article",
    "inproceedings": "conference-report",
    "proceedings": "conference-report",
    "misc": "report",
    "report": "report",
}
MONTH_NAMES = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
MONTHS = {name: number for number, name in enumerate(MONTH_NAMES, start=1)}


ENTRY_START = re.compile(r"@(\w+)\s*\{")
BRACE = re.compile(r"[{}]")
FIELD_NAME = re.compile(r"\s*(\w[\w-]*)\s*=\s*")
BARE_VALUE = re.compile(r"[^,}]*")


def parse_bibtex(data, name, *, meter=None):
    """Entries in one left-to-right pass: each character is passed over a bounded number of
    times, whatever the input (an entry whose braces never close swallows the rest of the
    file, as in BibTeX itself, and is reported once)."""
    meter = meter or Meter()
    text = decode(data, name)
    parsed = Parsed(soft=True)
    number, position, line, counted = 0, 0, 1, 0
    while match := ENTRY_START.search(text, position):
        meter.add(match.end() - position)
        line += text.count("\n", counted, match.start())
        counted = match.start()
        end = _closing_brace(text, match.end(), meter)
        kind = match.group(1).lower()
        if kind in ("comment", "preamble", "string"):
            if end is None:
                break
            position = end
            continue
        number += 1
        check_records(number, name)
        place = _("%(name)s, entry %(number)s (line %(line)s)") % {
            "name": name, "number": number, "line": line}  # fmt: skip
        if end is None:
            parsed.records.append(Record(place, None, _("the entry's braces are not closed")))
            break
        position = end
        try:
            key, fields = _bibtex_entry(text[match.end() : end - 1], meter)
        except ValueError as error:
            parsed.records.append(Record(place, None, str(error)))
            continue
        parsed.records.append(_bibtex_record(kind, key, fields, parsed, place))
    else:
        meter.add(len(text) - position)
    return parsed


def _closing_brace(text, position, meter):
    """The index just after the brace that closes one opened before ``position``, or None."""
    depth = 1
    for brace in BRACE.finditer(text, position):
        depth += 1 if brace.group() == "{" else -1
        if not depth:
            meter.add(brace.end() - position)
            return brace.end()
    meter.add(len(text) - position)
    return None


def _bibtex_entry(body, meter):
    """(key, {field: value}) of an entry's body (between its outer braces)."""
    key, _comma, rest = body.partition(",")
    fields, index = {}, 0
    while index < len(rest):
        start = index
        found = FIELD_NAME.match(rest, index)
        if not found:
            break
        name, index = found.group(1).lower(), found.end()
        if rest.startswith("{", index):
            end = _closing_brace(rest, index + 1, meter)
            if end is None:
                raise ValueError(_("the entry's braces are not closed"))
            value, index = rest[index + 1 : end - 1], end
        elif rest.startswith('"', index):
            close = rest.find('"', index + 1)
            if close < 0:
                raise ValueError(_("a quoted value is not closed"))
            value, index = rest[index + 1 : close], close + 1
        else:
            bare = BARE_VALUE.match(rest, index)
            value, index = bare.group(0).strip(), bare.end()
        fields[name] = " ".join(value.replace("{", "").replace("}", "").split())
        comma = rest.find(",", index)
        index = len(rest) if comma < 0 else comma + 1
        meter.add(index - start)
    return key.strip(), fields


def _bibtex_record(kind, key, fields, parsed, place):
    title = fields.get("title", "")
    year = fields.get("year", "")
    month = MONTHS.get(fields.get("month", "")[:3].lower()) or (
        int(fields["month"]) if fields.get("month", "").isdigit() else 1
    )
    record = {
        "id": key or f"bib-{slugify(title)[:180]}",
        "kind": BIBTEX_KINDS.get(kind, "report"),
        "title": title,
        "summary": fields.get("abstract", ""),
        "published_at": f"{year}-{month:02d}-01" if year else "",
        "language": {"russian": "ru", "ru": "ru"}.get(fields.get("language", "").lower(), "en"),
        "authors": [
            {"person": _person(parsed, _ris_name(name) if "," in name else name)}
            for name in re.split(r"\s+and\s+", fields.get("author", ""))
            if name.strip()
        ],
        "topics": [
            _named(parsed, "topics", word) for word in _split(fields.get("keywords", ""), ",")
        ],
        "attachments": [{"file": path, "title": title} for path in _split(fields.get("file", ""))],
    }
    return Record(place, record)

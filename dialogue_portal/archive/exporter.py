"""Export: every publication (drafts too: it is the editors' archive) with its authors,
terms, files and the people, institutions and terms they name, as ``manifest.json`` plus
the files, in a folder or a zip. The output depends only on the content: records and
registries sorted, files under paths made from the slug, zip entries with a fixed date,
so export → import into an empty database → export gives the same bytes."""

import datetime as dt
import hashlib
import io
import json
import zipfile
from pathlib import Path, PurePosixPath

from django.db.models import Prefetch
from django.utils.text import slugify

from dialogue_portal.core import spreadsheet
from dialogue_portal.redirects.models import Redirect
from people.models import Affiliation
from publications.models import Attachment, Authorship, Publication

FORMAT = "dialogue-portal-archive"
VERSION = 1
MANIFEST = "manifest.json"
SPREADSHEET = "publications.csv"
ZIP_DATE = (1980, 1, 1, 0, 0, 0)
TERM_KINDS = ("topics", "regions", "audiences", "projects", "programmes")


def format_datetime(value):
    if value is None:
        return None
    return value.astimezone(dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def format_date(value):
    return value.isoformat() if value else None


def sha256(data):
    return hashlib.sha256(data).hexdigest()


def safe_file_name(name, default, extension):
    stem = slugify(PurePosixPath(name).stem)[:60] or default
    return f"{stem}{extension}"


def banner_path(slug, stored_name):
    extension = PurePosixPath(stored_name).suffix.lower() or ".img"
    return f"files/{slug}/banner/{safe_file_name(stored_name, 'image', extension)}"


def attachment_path(slug, number, stored_name):
    return f"files/{slug}/attachments/{number}/{safe_file_name(stored_name, 'document', '.pdf')}"


def record_id(publication):
    return publication.external_id or publication.slug


# --- the canonical forms (import compares with these too) ------------------------------


def institution_entry(institution):
    return {
        "slug": institution.slug,
        "name": institution.name,
        "name_ru": institution.name_ru,
        "short_name": institution.short_name,
        "short_name_ru": institution.short_name_ru,
        "city": institution.city,
        "city_ru": institution.city_ru,
        "website": institution.website,
        "description": institution.description,
        "description_ru": institution.description_ru,
    }


PERSON_FIELDS = (
    "given_name",
    "family_name",
    "given_name_ru",
    "family_name_ru",
    "honorific",
    "honorific_ru",
    "position",
    "position_ru",
    "short_bio",
    "short_bio_ru",
    "bio",
    "bio_ru",
    "orcid",
)
AFFILIATION_FIELDS = (
    "role",
    "role_ru",
    "department",
    "department_ru",
    "is_current",
    "start_year",
    "end_year",
    "order",
)


def person_entry(person, affiliations):
    return {
        "slug": person.slug,
        **{name: getattr(person, name) for name in PERSON_FIELDS},
        "affiliations": [
            {"institution": affiliation.institution.slug}
            | {name: getattr(affiliation, name) for name in AFFILIATION_FIELDS}
            for affiliation in affiliations
        ],
    }


def term_entry(kind, term):
    entry = {
        "slug": term.slug,
        "name": term.name,
        "name_ru": term.name_ru,
        "description": term.description,
        "description_ru": term.description_ru,
    }
    if kind == "projects":
        entry["started"] = format_date(term.started)
        entry["ended"] = format_date(term.ended)
        entry["institutions"] = sorted(institution.slug for institution in term.institutions.all())
    if kind == "programmes":
        entry["institution"] = term.institution.slug if term.institution_id else None
    return entry


def redirect_entry(redirect):
    return {
        "old_path": redirect.old_path,
        "target": redirect.target,
        "status": redirect.status,
        "include_below": redirect.include_below,
        "source": redirect.source,
        "note": redirect.note,
    }


def publication_record(publication, file_digest):
    """The manifest record of one publication; ``file_digest(field_file)`` gives a stored
    file's sha256."""
    banner = None
    if publication.banner_image:
        banner = {
            "file": banner_path(publication.slug, publication.banner_image.name),
            "sha256": file_digest(publication.banner_image),
            "alt": publication.banner_alt,
            "caption": publication.banner_caption,
            "credit": publication.banner_credit,
        }
    return {
        "id": record_id(publication),
        "slug": publication.slug,
        "kind": publication.kind,
        "language": publication.language,
        "status": publication.status,
        "published_at": format_datetime(publication.published_at),
        "featured": publication.featured,
        "title": publication.title,
        "subtitle": publication.subtitle,
        "summary": publication.summary,
        "body": publication.body,
        "translation_of": (
            record_id(publication.translation_of) if publication.translation_of_id else None
        ),
        "project": publication.project.slug if publication.project_id else None,
        "project_part": publication.project_part,
        "programme": publication.programme.slug if publication.programme_id else None,
        "topics": sorted(term.slug for term in publication.topics.all()),
        "regions": sorted(term.slug for term in publication.regions.all()),
        "audiences": sorted(term.slug for term in publication.audiences.all()),
        "authors": [
            {
                "person": authorship.person.slug,
                "position": authorship.byline_position,
                "position_ru": authorship.byline_position_ru,
                "institution": authorship.institution.slug if authorship.institution_id else None,
            }
            for authorship in publication.authorships.all()
        ],
        "banner": banner,
        "attachments": [
            {
                "file": attachment_path(publication.slug, number, attachment.file.name),
                "sha256": file_digest(attachment.file),
                "title": attachment.title,
                "language": attachment.language,
            }
            for number, attachment in enumerate(publication.attachments.all(), start=1)
        ],
    }


def publications_for_export(queryset=None):
    queryset = Publication.objects.all() if queryset is None else queryset
    return queryset.select_related(
        "project", "programme", "translation_of", "programme__institution"
    ).prefetch_related(
        Prefetch(
            "authorships",
            queryset=Authorship.objects.select_related("person", "institution").order_by(
                "order", "pk"
            ),
        ),
        Prefetch("attachments", queryset=Attachment.objects.order_by("order", "pk")),
        "topics",
        "regions",
        "audiences",
        "project__institutions",
    )


class FileReader:
    """Reads stored files once each, remembering their digests (many generated
    publications share one stored PDF)."""

    def __init__(self):
        self.digests = {}

    def content(self, field_file):
        with field_file.storage.open(field_file.name, "rb") as handle:
            return handle.read()

    def digest(self, field_file):
        if field_file.name not in self.digests:
            self.digests[field_file.name] = sha256(self.content(field_file))
        return self.digests[field_file.name]


def build_archive(queryset=None):
    """(manifest dict, {archive path: stored FieldFile}) for the publications."""
    reader = FileReader()
    publications = sorted(publications_for_export(queryset), key=record_id)
    records, files = [], {}
    people, institutions = {}, {}
    terms = {kind: {} for kind in TERM_KINDS}
    for publication in publications:
        record = publication_record(publication, reader.digest)
        records.append(record)
        if record["banner"]:
            files[record["banner"]["file"]] = publication.banner_image
        for entry, attachment in zip(
            record["attachments"], publication.attachments.all(), strict=True
        ):
            files[entry["file"]] = attachment.file
        for authorship in publication.authorships.all():
            people[authorship.person.slug] = authorship.person
            if authorship.institution_id:
                institutions[authorship.institution.slug] = authorship.institution
        for kind in ("topics", "regions", "audiences"):
            for term in getattr(publication, kind).all():
                terms[kind][term.slug] = term
        if publication.project_id:
            terms["projects"][publication.project.slug] = publication.project
            for institution in publication.project.institutions.all():
                institutions[institution.slug] = institution
        if publication.programme_id:
            terms["programmes"][publication.programme.slug] = publication.programme
            if publication.programme.institution_id:
                institution = publication.programme.institution
                institutions[institution.slug] = institution
    affiliations = {}
    for affiliation in (
        Affiliation.objects.filter(person__slug__in=people)
        .select_related("institution", "person")
        .order_by("-is_current", "order", "-start_year", "pk")
    ):
        affiliations.setdefault(affiliation.person.slug, []).append(affiliation)
        institutions[affiliation.institution.slug] = affiliation.institution
    manifest = {
        "format": FORMAT,
        "version": VERSION,
        "institutions": [institution_entry(institutions[slug]) for slug in sorted(institutions)],
        "people": [
            person_entry(people[slug], affiliations.get(slug, [])) for slug in sorted(people)
        ],
        **{
            kind: [term_entry(kind, terms[kind][slug]) for slug in sorted(terms[kind])]
            for kind in TERM_KINDS
        },
        "publications": records,
        # The site's old addresses (every one: they outlive the content they led to).
        "redirects": [
            redirect_entry(redirect) for redirect in Redirect.objects.order_by("old_path")
        ],
    }
    return manifest, files, reader


def manifest_bytes(manifest):
    return (json.dumps(manifest, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def spreadsheet_bytes(manifest):
    """publications.csv: one row per publication for people who open archives in a
    spreadsheet (import reads manifest.json, not this)."""
    people = {person["slug"]: person for person in manifest["people"]}
    out = io.StringIO()
    writer = spreadsheet.writer(out, lineterminator="\n")
    writer.writerow(["id", "slug", "kind", "language", "status", "published_at", "title",
                     "authors", "topics", "files"])  # fmt: skip
    for record in manifest["publications"]:
        authors = "; ".join(
            f"{people[a['person']]['given_name']} {people[a['person']]['family_name']}"
            for a in record["authors"]
        )
        files = [a["file"] for a in record["attachments"]]
        if record["banner"]:
            files.insert(0, record["banner"]["file"])
        row = [record["id"], record["slug"], record["kind"], record["language"],
               record["status"], record["published_at"] or "", record["title"], authors,
               "; ".join(record["topics"]), "; ".join(files)]  # fmt: skip
        writer.writerow(row)
    return out.getvalue().encode("utf-8")


def export_archive(target, queryset=None, progress=None):
    """Write the archive to ``target``: a folder path, a path ending in .zip, or a binary
    file object (written as a zip). Returns the number of publications."""
    manifest, files, reader = build_archive(queryset)
    entries = [(MANIFEST, manifest_bytes(manifest)), (SPREADSHEET, spreadsheet_bytes(manifest))]
    is_zip = not isinstance(target, (str, Path)) or str(target).endswith(".zip")
    if is_zip:
        with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for name, data in entries:
                _write_zip_entry(archive, name, data)
            for done, name in enumerate(sorted(files), start=1):
                _write_zip_entry(archive, name, reader.content(files[name]))
                if progress:
                    progress(done, len(files))
    else:
        root = Path(target)
        root.mkdir(parents=True, exist_ok=True)
        for name, data in entries:
            (root / name).write_bytes(data)
        for done, name in enumerate(sorted(files), start=1):
            path = root / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(reader.content(files[name]))
            if progress:
                progress(done, len(files))
    return len(manifest["publications"])


def _write_zip_entry(archive, name, data):
    info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    archive.writestr(info, data)

"""Load the demo's institutions, people, terms, publications and polls (``content`` and
``content_publications`` hold the words; this module only puts them in the database).

Running it again changes nothing: a row the demo made is found by its slug and left alone.
Where an editor has changed a demo row since (retitled a publication, edited a bio), the
loader keeps the editor's version and says which fields it skipped. Files, ratings, votes,
authors and tags are added only with the row they belong to, so a second run never adds
to them either. Each row it creates gets a first revision of the state loaded, so the
history holds the demo's version before any editor changes it; a row left alone gets none.
"""

import datetime as dt
import io
import random
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Count, Model, Sum
from django.utils import formats, timezone, translation

from dialogue_portal.demo import content
from dialogue_portal.demo.content_publications import RUSSIAN_VERSIONS, SEEDS, WRITTEN
from dialogue_portal.demo.files import banner_image, paragraphs_of, portrait_png, report_pdf
from dialogue_portal.desk import first_revisions
from people.models import Affiliation, Institution, Person
from polls.models import Choice, Poll, Vote
from publications.models import (
    Attachment,
    Audience,
    Authorship,
    Programme,
    Project,
    Publication,
    Rating,
    Region,
    Topic,
    ranked_average,
)
from publications.renditions import refresh_banner_renditions
from publications.sanitize import sanitize_html
from publications.search import refresh_search_vector


@dataclass
class Report:
    """What a run did: rows created, rows found as the demo left them, rows an editor changed."""

    name: str
    created: list = field(default_factory=list)
    unchanged: list = field(default_factory=list)
    skipped: list = field(default_factory=list)

    def write(self, stdout):
        for label, fields in self.skipped:
            stdout.write(
                f"  skipped {label}: changed since the demo loaded it ({', '.join(fields)}); "
                "the editor's version is kept"
            )
        stdout.write(
            f"{self.name}: {len(self.created)} created, {len(self.unchanged)} already there, "
            f"{len(self.skipped)} skipped (changed by an editor)."
        )


# Short kinds carry fewer charts, so their PDFs weigh less than a report's.
FIGURES = {"commentary": 1, "interview": 0, "briefing": 2, "article": 2}


def ensure(report, model, label, lookup, fields, *, moving=()):
    """The row matching ``lookup``: created with ``fields`` when missing; when present, left
    as it is, and reported as skipped where it no longer holds the demo's values (``moving``
    names fields set relative to the day of loading, which no later run can compare)."""
    obj = model.objects.filter(**lookup).first()
    name = f"{model._meta.verbose_name} “{label}”"
    if obj is None:
        obj = model.objects.create(**lookup, **fields)
        report.created.append(name)
        return obj, True
    changed = [
        key for key, value in fields.items() if key not in moving and not _same(obj, key, value)
    ]
    if changed:
        report.skipped.append((name, changed))
    else:
        report.unchanged.append(name)
    return obj, False


def _same(obj, key, value):
    if isinstance(value, Model):
        return getattr(obj, f"{key}_id") == value.pk
    return getattr(obj, key) == value


def at(year, month, day):
    return dt.datetime(year, month, day, 9, 0, tzinfo=dt.UTC)


def paragraphs_html(paragraphs):
    return "".join(f"<p>{paragraph}</p>" for paragraph in paragraphs)


def load(stdout):
    """Load the core demo content (idempotent); write what was done to ``stdout``."""
    report = Report("Demo content")
    with transaction.atomic():
        # The vectors go in with the rows, so the search never lags behind the caches.
        for publication in CoreLoader(report).load():
            refresh_search_vector(publication)
    report.write(stdout)
    for username, password, _superuser in content.DEMO_USERS:
        stdout.write(f"  login: {username} / {password}")
    return report


class CoreLoader:
    def __init__(self, report):
        self.report = report
        self.institutions = {}
        self.people = {}
        self.terms = {}
        self.publications = {}
        self.created_publications = []
        self.created = []  # every row created, for its first revision
        self.now = timezone.now()

    def load(self):
        self.load_institutions_and_terms()
        self.load_people()
        for entry in SEEDS + WRITTEN:
            self.load_publication(entry)
        for entry in RUSSIAN_VERSIONS:
            self.load_publication(self.russian_version(entry))
        for entry in content.POLLS:
            self.load_poll(entry)
        self.load_users()
        # Last, once authors, files, tags and choices are in: the state each row was loaded in.
        first_revisions.record_together(self.created, comment=first_revisions.LOADED_BY_DEMO)
        return self.created_publications

    # --- the generic step: create, or leave alone and say so -------------------------------

    def ensure(self, model, label, lookup, fields, *, moving=()):
        obj, created = ensure(self.report, model, label, lookup, fields, moving=moving)
        if created:
            self.created.append(obj)
        return obj, created

    # --- institutions, terms, people -----------------------------------------------------------

    def load_institutions_and_terms(self):
        for entry in content.INSTITUTIONS:
            fields = dict(entry)
            slug = fields.pop("slug")
            self.institutions[slug], _ = self.ensure(Institution, slug, {"slug": slug}, fields)
        for slug, name, name_ru, institution in content.PROGRAMMES:
            self.terms[slug], _ = self.ensure(
                Programme,
                slug,
                {"slug": slug},
                {"name": name, "name_ru": name_ru, "institution": self.institutions[institution]},
            )
        for entry in content.PROJECTS:
            fields = dict(entry)
            slug = fields.pop("slug")
            institutions = fields.pop("institutions")
            project, created = self.ensure(Project, slug, {"slug": slug}, fields)
            if created:
                project.institutions.set([self.institutions[i] for i in institutions])
            self.terms[slug] = project
        for model, rows in (
            (Topic, content.TOPICS),
            (Region, content.REGIONS),
            (Audience, content.AUDIENCES),
        ):
            for slug, name, name_ru in rows:
                self.terms[(model, slug)], _ = self.ensure(
                    model, slug, {"slug": slug}, {"name": name, "name_ru": name_ru}
                )

    def load_people(self):
        for number, entry in enumerate(content.PEOPLE):
            fields = dict(entry)
            slug = fields.pop("slug")
            affiliations = fields.pop("affiliations")
            person, created = self.ensure(Person, slug, {"slug": slug}, fields)
            self.people[slug] = person
            if not created:
                continue
            for order, (institution, role, department, role_ru, department_ru) in enumerate(
                affiliations
            ):
                Affiliation.objects.create(
                    person=person,
                    institution=self.institutions[institution],
                    role=role,
                    role_ru=role_ru,
                    department=department,
                    department_ru=department_ru,
                    is_current=True,
                    order=order,
                )
            person.photo.save(f"{slug}.png", ContentFile(portrait_png(number)), save=True)

    # --- publications --------------------------------------------------------------------------

    def russian_version(self, entry):
        """A Russian version takes everything but its words from its original."""
        original = next(e for e in SEEDS + WRITTEN if e["slug"] == entry["translation_of"])
        merged = {
            key: value
            for key, value in original.items()
            if key not in {"featured", "banner_alt", "banner_caption", "banner_credit", "pdf"}
        }
        merged.update(entry, language="ru")
        merged.setdefault("pdf", entry["title"])
        merged["authors"] = [
            author if isinstance(author, str) else (author[0], "", author[2], author[3])
            for author in original["authors"]
        ]
        return merged

    def load_publication(self, entry):
        slug = entry["slug"]
        project = self.terms.get(entry.get("project"))
        fields = {
            "kind": entry["kind"],
            "title": entry["title"],
            "language": entry.get("language", "en"),
            "status": entry.get("status", Publication.Status.PUBLISHED),
            "published_at": (
                at(*entry["date"])
                if "date" in entry
                else self.now + dt.timedelta(days=entry["scheduled_in_days"])
            ),
            "summary": entry["summary"],
            "body": sanitize_html(paragraphs_html(entry["body"])),
            "banner_alt": entry.get("banner_alt", ""),
            "banner_caption": entry.get("banner_caption", ""),
            "banner_credit": entry.get("banner_credit", ""),
            "featured": entry.get("featured", False),
            "project": project,
            "project_part": entry.get("part"),
            "programme": self.terms.get(entry.get("programme")),
            "translation_of": self.publications.get(entry.get("translation_of")),
        }
        publication, created = self.ensure(
            Publication,
            slug,
            {"slug": slug},
            fields,
            moving=() if "date" in entry else ("published_at",),
        )
        self.publications[slug] = publication
        if not created:
            return
        self.created_publications.append(publication)
        publication.topics.set([self.terms[(Topic, s)] for s in entry.get("topics", [])])
        publication.regions.set([self.terms[(Region, s)] for s in entry.get("regions", [])])
        publication.audiences.set([self.terms[(Audience, s)] for s in entry.get("audiences", [])])
        for order, author in enumerate(entry["authors"], start=1):
            person, position, position_ru, institution = (
                (author, "", "", None) if isinstance(author, str) else author
            )
            Authorship.objects.create(
                publication=publication,
                person=self.people[person],
                order=order,
                byline_position=position,
                byline_position_ru=position_ru,
                institution=self.institutions.get(institution),
            )
        if entry.get("banner") is not None:
            self.add_banner(publication, entry)
        self.add_attachment(publication, entry)
        self.add_ratings_and_views(publication, entry)

    def add_banner(self, publication, entry):
        original = publication.translation_of
        if original is not None and original.banner_image:
            # A language version shows the same picture: share the file and its renditions.
            Publication.objects.filter(pk=publication.pk).update(
                banner_image=original.banner_image.name,
                banner_width=original.banner_width,
                banner_height=original.banner_height,
                banner_renditions=original.banner_renditions,
            )
            return
        buffer = io.BytesIO()
        image = banner_image(entry["banner"])
        image.save(buffer, "JPEG", quality=85)
        publication.banner_image.save(
            f"{publication.slug}.jpg", ContentFile(buffer.getvalue()), save=True
        )
        # Stored with the row, whatever the path above left in it: a row without them makes
        # Django open the image (from S3, in production) whenever the row is read.
        publication.banner_width, publication.banner_height = image.size
        Publication.objects.filter(pk=publication.pk).update(
            banner_width=image.width, banner_height=image.height
        )
        refresh_banner_renditions(publication)

    def add_attachment(self, publication, entry):
        language = publication.language
        authorships = list(publication.authorships.select_related("person"))
        with translation.override(language):
            pdf = report_pdf(
                seed=entry.get("banner") or len(entry["slug"]),
                title=publication.title,
                kind=str(publication.get_kind_display()),
                date=formats.date_format(publication.published_at, "DATE_FORMAT"),
                authors=[a.person.name for a in authorships],
                summary=publication.summary,
                paragraphs=paragraphs_of(publication.body),
                sections=entry.get("pdf_sections", 0),
                figures=FIGURES.get(publication.kind, 99),
                about=[
                    f"{a.person.name}: {a.person.display_short_bio}".rstrip(": ")
                    for a in authorships
                ],
                labels=content.PDF_LABELS[language],
            )
        attachment = Attachment(
            publication=publication,
            title=entry.get("pdf") or publication.title,
            language=language,
        )
        attachment.file.save(f"{publication.slug}.pdf", ContentFile(pdf), save=False)
        attachment.download_count = entry.get("views", 0) // 7
        attachment.save()
        Publication.objects.filter(pk=publication.pk).update(
            download_count=attachment.download_count
        )

    def add_ratings_and_views(self, publication, entry):
        Rating.objects.bulk_create(
            Rating(publication=publication, reader=f"demo:{number}", stars=stars)
            for number, stars in enumerate(entry.get("ratings", []), start=1)
        )
        totals = publication.ratings.aggregate(count=Count("pk"), total=Sum("stars"))
        publication.rating_count, publication.rating_sum = totals["count"], totals["total"] or 0
        Publication.objects.filter(pk=publication.pk).update(
            rating_count=publication.rating_count,
            rating_sum=publication.rating_sum,
            ranked_count=publication.rating_count,
            ranked_average=ranked_average(publication),
            view_count=entry.get("views", 0),
        )

    # --- polls and users -----------------------------------------------------------------------

    def load_poll(self, entry):
        fields = {
            key: entry.get(key, "")
            for key in ("question", "question_ru", "description", "description_ru")
        }
        fields.update(placement=entry["placement"], results_visibility=entry["results_visibility"])
        moving = ()
        if "opens_in_days" in entry:
            opens = self.now.replace(hour=9, minute=0, second=0, microsecond=0)
            opens += dt.timedelta(days=entry["opens_in_days"])
            fields.update(opens_at=opens, closes_at=opens + dt.timedelta(entry["open_for_days"]))
            moving = ("opens_at", "closes_at")
        else:
            fields.update(opens_at=entry["opens_at"], closes_at=entry["closes_at"])
        poll, created = self.ensure(
            Poll, entry["slug"], {"slug": entry["slug"]}, fields, moving=moving
        )
        if not created:
            return
        poll.publications.set([self.publications[slug] for slug in entry["publications"]])
        # Votes arrive in a shuffled order, as they would from readers.
        ballots = []
        for order, (text, text_ru, votes) in enumerate(entry["answers"], start=1):
            choice = Choice.objects.create(poll=poll, order=order, text=text, text_ru=text_ru)
            ballots += [choice] * votes
        random.Random(entry["slug"]).shuffle(ballots)
        Vote.objects.bulk_create(
            Vote(poll=poll, choice=choice, reader=f"demo:{number}")
            for number, choice in enumerate(ballots, start=1)
        )
        for choice in poll.choices.annotate(n=Count("votes")):
            Choice.objects.filter(pk=choice.pk).update(vote_count=choice.n)
        Poll.objects.filter(pk=poll.pk).update(total_votes=poll.votes.count())

    def load_users(self):
        editors = Group.objects.get(name="Editors")
        User = get_user_model()
        for username, password, superuser in content.DEMO_USERS:
            user, created = User.objects.get_or_create(
                username=username,
                defaults={
                    "is_staff": True,
                    "is_superuser": superuser,
                    "email": f"{username}@example.org",
                },
            )
            if created:
                user.set_password(password)
                user.save()
                self.report.created.append(f"user “{username}”")
            if not superuser:
                user.groups.add(editors)

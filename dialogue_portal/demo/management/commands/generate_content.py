"""Fill the database with many realistic publications, for benchmarks and load tests.

Everything it makes has a slug starting with ``gen-``, so ``--clear`` removes exactly
that and nothing an editor wrote. The same ``--seed`` gives the same content (dates
are counted back from the start of the current day). Rows go in with ``bulk_create``
in batches; on PostgreSQL each batch's search vectors are filled by one UPDATE, on SQLite
each batch's rows of the FTS5 search table by one bulk insert.

A large run on PostgreSQL sets the full-text indexes aside and builds them again at the
end: keeping a RUM index current costs about 1.6 ms a row (27 minutes for a million),
building it whole takes about a minute.

Everything it creates gets a first revision of its generated state, written in bulk with
each batch (``desk.first_revisions.record_in_bulk``), as an archive import or the demo
would record it.
"""

import contextlib
import datetime as dt
import itertools
import random
import time

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.db.models import Count
from django.utils import timezone

from dialogue_portal.core.freshness import content_changed
from dialogue_portal.desk import first_revisions
from people.models import Affiliation, Institution, Person
from polls.models import Choice, Poll, Vote
from publications.demo_files import simple_pdf
from publications.fulltext import index_for_sqlite
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

PREFIX = "gen-"
BATCH = 2000
# From this many rows on, the full-text indexes are built after the rows, not kept current.
REBUILD_INDEXES_FROM = 20_000
ATTACHMENT_NAME = "files/generated/gen-report.pdf"
RATED_SHARE = 0.2
TRANSLATED_SHARE = 0.03
YEARS = 20

INSTITUTIONS = [
    ("Northbridge Institute for Security Studies", "NISS", "London"),
    ("Eastern Policy Council", "EPC", "Moscow"),
    ("Atlantic Forum on Strategy", "AFS", "Brussels"),
    ("Centre for Arctic Affairs", "CAA", "Oslo"),
    ("Institute of Eurasian Studies", "IES", "Almaty"),
    ("Global Risk Observatory", "GRO", "Geneva"),
]
TOPICS = [
    "Arms Control", "Cyber Security", "Energy Security", "Nuclear Deterrence", "Sanctions",
    "Terrorism and Organised Crime", "Maritime Security", "Space Policy", "Climate and Security",
    "Diplomacy", "Defence Industry", "Information Warfare", "Peacekeeping", "Migration",
]  # fmt: skip
REGIONS = [
    "Russia", "UK", "Middle East", "Arctic", "Central Asia", "Baltic States", "Black Sea",
    "South Caucasus", "East Asia", "North Africa",
]  # fmt: skip
AUDIENCES = [("business", "Business"), ("researchers", "Researchers"), ("students", "Students")]
SERIES = ["Dialogue", "Review", "Initiative", "Futures", "Watch", "Forum"]
PARTS_PER_PROJECT = 5  # a series has a few numbered rounds, not hundreds
IN_PROJECT_SHARE = 0.1
PROGRAMMES = [
    "International Security Studies", "Military Sciences", "Terrorism and Conflict",
    "Europe and Eurasia", "Organised Crime and Policing",
]  # fmt: skip
GIVEN = [
    "Emily", "James", "Sarah", "Malcolm", "Olivia", "Thomas", "Hannah", "Daniel", "Grace",
    "William", "Alice", "Henry", "Sophie", "Edward", "Laura", "George", "Clara", "Samuel",
]  # fmt: skip
FAMILY = [
    "Ferris", "Chalmers", "Lain", "Hughes", "Bennett", "Clarke", "Harper", "Morgan", "Turner",
    "Fletcher", "Sutton", "Wallace", "Ashby", "Reeves", "Holloway", "Drummond", "Pryce", "Kent",
]  # fmt: skip
GIVEN_RU = [
    ("Andrey", "Андрей"), ("Maria", "Мария"), ("Ivan", "Иван"), ("Elena", "Елена"),
    ("Dmitry", "Дмитрий"), ("Olga", "Ольга"), ("Sergey", "Сергей"), ("Anna", "Анна"),
    ("Pavel", "Павел"), ("Irina", "Ирина"),
]  # fmt: skip
FAMILY_RU = [
    ("Kortunov", "Кортунов"), ("Smekalova", "Смекалова"), ("Petrov", "Петров"),
    ("Volkov", "Волков"), ("Sokolov", "Соколов"), ("Morozov", "Морозов"),
    ("Lebedev", "Лебедев"), ("Kozlov", "Козлов"), ("Novikov", "Новиков"), ("Orlov", "Орлов"),
]  # fmt: skip
POSITIONS = [
    "Research Fellow", "Senior Research Fellow", "Associate Fellow", "Director of Studies",
    "Programme Director", "Visiting Fellow", "Head of Programme", "Deputy Director",
]  # fmt: skip
ADJECTIVES = [
    "Managing", "Rethinking", "Beyond", "Assessing", "Navigating", "Rebuilding", "Measuring",
    "Understanding", "Reframing", "Restoring", "Testing", "Balancing",
]  # fmt: skip
NOUNS = [
    "Deterrence", "Dialogue", "Risk", "Escalation", "Trust", "Cooperation", "Competition",
    "Stability", "Resilience", "Transparency", "Verification", "Crisis Communication",
]  # fmt: skip
SENTENCES = [
    "Experts from both countries met over several rounds to compare how each side reads {t}.",
    "The discussion returned often to {t} and to what {r} means for the wider relationship.",
    "Officials and researchers agreed that {t} cannot be left to governments alone.",
    "Where trust is low, small practical steps on {t} matter more than grand declarations.",
    "The authors set out options for policymakers working on {t} in {r}.",
    "Several participants warned that misreading signals in {r} could lead to escalation.",
    "A recurring theme was how to keep channels open on {t} when relations worsen.",
    "The report ends with recommendations for the next round of the dialogue.",
]
RU_TITLE_WORDS = ["Диалог", "Безопасность", "Сотрудничество", "Доверие", "Стабильность", "Риски"]
RU_SENTENCES = [
    "Эксперты двух стран обсудили вопросы безопасности и доверия.",
    "Авторы предлагают практические шаги для снижения рисков эскалации.",
    "Доклад завершается рекомендациями для следующего раунда диалога.",
]


def project_names(count):
    """About one project per 2,000 publications (6 to 60): each a topic's or a region's series."""
    names = [f"{subject} {series}" for series in SERIES for subject in TOPICS + REGIONS]
    return names[: max(6, min(60, count // 2000))]


def slug_of(text):
    from django.utils.text import slugify

    return slugify(text)[:80]


class Command(BaseCommand):
    help = "Generate N realistic publications (slugs gen-…) for benchmarks; --clear removes them."

    def add_arguments(self, parser):
        parser.add_argument("--publications", type=int, default=1000, help="how many to add")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--clear", action="store_true", help="remove previously generated rows first"
        )

    def handle(self, *args, publications, seed, clear, **options):
        if publications < 0:
            raise CommandError("--publications must be 0 or more")
        started = time.monotonic()
        if clear:
            self.clear()
        if publications:
            indexes = (
                search_indexes_set_aside(self.stdout.write)
                if publications >= REBUILD_INDEXES_FROM
                else contextlib.nullcontext()
            )
            with indexes:
                self.generate(publications, seed)
        total = Publication.objects.filter(slug__startswith=PREFIX).count()
        self.stdout.write(
            f"{total} generated publications in the database ({time.monotonic() - started:.1f}s)."
        )

    # --- removal ---------------------------------------------------------------------

    def clear(self):
        generated = Publication.objects.filter(slug__startswith=PREFIX)
        with transaction.atomic():
            for through in (
                Publication.topics.through,
                Publication.regions.through,
                Publication.audiences.through,
                Poll.publications.through,
            ):
                through.objects.filter(publication__in=generated).delete()
            for model in (Rating, Attachment, Authorship):
                model.objects.filter(publication__in=generated).delete()
            Publication.objects.filter(translation_of__in=generated).update(translation_of=None)
            generated.filter(translation_of__isnull=False).delete()
            generated.delete()
            Poll.objects.filter(slug__startswith=PREFIX).delete()
            Affiliation.objects.filter(person__slug__startswith=PREFIX).delete()
            Person.objects.filter(slug__startswith=PREFIX).delete()
            for model in (Topic, Region, Project, Programme):
                model.objects.filter(slug__startswith=PREFIX).delete()
            Institution.objects.filter(slug__startswith=PREFIX).delete()
        self.stdout.write("Removed the generated rows.")

    # --- pools: institutions, people, terms ---------------------------------------------

    def pools(self, rng, count):
        institutions = [
            Institution.objects.get_or_create(
                slug=f"{PREFIX}{slug_of(short)}",
                defaults={"name": name, "short_name": short, "city": city},
            )[0]
            for name, short, city in INSTITUTIONS
        ]
        terms = {
            model: [
                model.objects.get_or_create(
                    slug=f"{PREFIX}{slug_of(name)}", defaults={"name": name}
                )[0]
                for name in names
            ]
            for model, names in (
                (Topic, TOPICS),
                (Region, REGIONS),
                (Project, project_names(count)),
            )
        }
        programmes = [
            Programme.objects.get_or_create(
                slug=f"{PREFIX}{slug_of(name)}",
                defaults={"name": name, "institution": institutions[i % len(institutions)]},
            )[0]
            for i, name in enumerate(PROGRAMMES)
        ]
        # The three audiences are the site's own (business, researchers, students).
        audiences = [
            Audience.objects.get_or_create(slug=slug, defaults={"name": name})[0]
            for slug, name in AUDIENCES
        ]
        people = self.people(rng, max(20, min(3000, count // 30)), institutions)
        return institutions, terms, programmes, audiences, people

    def people(self, rng, size, institutions):
        existing = {p.slug: p for p in Person.objects.filter(slug__startswith=f"{PREFIX}person-")}
        new, affiliations = [], []
        for k in range(size):
            russian = k % 3 == 1
            if russian:
                given, given_ru = GIVEN_RU[k % len(GIVEN_RU)]
                family, family_ru = FAMILY_RU[(k // len(GIVEN_RU)) % len(FAMILY_RU)]
            else:
                given, given_ru = GIVEN[k % len(GIVEN)], ""
                family, family_ru = FAMILY[(k // len(GIVEN)) % len(FAMILY)], ""
            slug = f"{PREFIX}person-{k}-{slug_of(given)}-{slug_of(family)}"
            if slug in existing:
                continue
            position = rng.choice(POSITIONS)
            new.append(
                Person(
                    slug=slug,
                    given_name=given,
                    family_name=family,
                    given_name_ru=given_ru,
                    family_name_ru=family_ru,
                    position=position,
                    short_bio=f"{position} working on security and foreign policy.",
                )
            )
        Person.objects.bulk_create(new, batch_size=BATCH)
        for person in new:
            home = rng.randrange(len(institutions))
            affiliations.append(
                Affiliation(person=person, institution=institutions[home], role=person.position)
            )
            if rng.random() < 0.3:
                past = institutions[(home + 1) % len(institutions)]
                affiliations.append(
                    Affiliation(
                        person=person,
                        institution=past,
                        role="Visiting Fellow",
                        is_current=False,
                        start_year=2008,
                        end_year=2012,
                    )
                )
        Affiliation.objects.bulk_create(affiliations, batch_size=BATCH)
        people = list(
            Person.objects.filter(slug__startswith=f"{PREFIX}person-")
            .prefetch_related("affiliations")
            .order_by("pk")
        )
        return [
            (person, next(a.institution_id for a in person.affiliations.all() if a.is_current))
            for person in people
        ]

    # --- publications ------------------------------------------------------------------------

    def generate(self, count, seed):
        start = Publication.objects.filter(slug__startswith=PREFIX).count()
        rng = random.Random(f"{seed}:{start}")
        institutions, terms, programmes, audiences, people = self.pools(rng, count + start)
        # A few prolific authors and a long tail, as on a real site.
        author_weights = list(
            itertools.accumulate(1 / (rank + 1) ** 0.8 for rank in range(len(people)))
        )
        pdf_name, pdf_size = self.attachment_file()
        anchor = timezone.now().replace(hour=0, minute=0, second=0, microsecond=0)
        self.ensure_polls(rng)
        self.parts = dict(
            Publication.objects.filter(project__in=terms[Project], project_part__isnull=False)
            .values("project")
            .annotate(n=Count("pk"))
            .values_list("project", "n")
        )
        done = 0
        while done < count:
            size = min(BATCH, count - done)
            with transaction.atomic():
                self.batch(
                    rng,
                    first=start + done,
                    size=size,
                    anchor=anchor,
                    terms=terms,
                    programmes=programmes,
                    audiences=audiences,
                    people=people,
                    author_weights=author_weights,
                    pdf=(pdf_name, pdf_size),
                )
                content_changed()  # bulk inserts send no post_save
            done += size
            self.stdout.write(f"  {done}/{count}")
        self.record_pools()

    def record_pools(self):
        """A first revision of the people, institutions, terms and polls this run (or an
        earlier one) created; those already recorded are left alone."""
        for model in (Institution, Person, Topic, Region, Project, Programme, Audience, Poll):
            generated = model.objects.filter(slug__startswith=PREFIX)
            if model is Audience:  # the site's own three, created when missing
                generated = model.objects.filter(slug__in=[slug for slug, _name in AUDIENCES])
            shape = first_revisions.shape_of(model)
            first_revisions.record_in_bulk(
                shape,
                first_revisions.unrecorded(shape, generated),
                comment=first_revisions.GENERATED,
                batch_size=BATCH,
            )

    def attachment_file(self):
        """One small PDF stored once; every generated attachment row points at it."""
        if not default_storage.exists(ATTACHMENT_NAME):
            content = simple_pdf("Generated report", ["Placeholder text for load tests."])
            saved = default_storage.save(ATTACHMENT_NAME, ContentFile(content))
            assert saved == ATTACHMENT_NAME, saved
        return ATTACHMENT_NAME, default_storage.size(ATTACHMENT_NAME)

    def batch(self, rng, *, first, size, anchor, terms, programmes, audiences, people, **kw):
        translated = round(size * TRANSLATED_SHARE)
        originals = [
            self.publication(rng, first + i, anchor, terms, programmes)
            for i in range(size - translated)
        ]
        Publication.objects.bulk_create(originals)
        translations = [
            self.translation(rng, first + len(originals) + i, original)
            for i, original in enumerate(rng.sample(originals, translated))
        ]
        Publication.objects.bulk_create(translations)
        rows = originals + translations  # originals first: translations copy their relations
        self.relations(rng, rows, terms, audiences, people, kw["author_weights"], kw["pdf"])
        first_revisions.record_in_bulk(
            first_revisions.shape_of(Publication),
            Publication.objects.filter(pk__in=[p.pk for p in rows]),
            comment=first_revisions.GENERATED,
            batch_size=BATCH,
        )
        first_pk, last_pk = min(p.pk for p in rows), max(p.pk for p in rows)
        if connection.vendor == "postgresql":
            fill_search_vectors(first_pk, last_pk)
        else:  # the batch's rows of SQLite's FTS5 table: one read, one insert of many
            index_for_sqlite(
                "p.id BETWEEN %s AND %s AND p.slug LIKE %s", [first_pk, last_pk, PREFIX + "%"]
            )

    def publication(self, rng, n, anchor, terms, programmes):
        topic, region = rng.choice(terms[Topic]), rng.choice(terms[Region])
        words = {"t": topic.name.lower(), "r": region.name}
        title = f"{rng.choice(ADJECTIVES)} {rng.choice(NOUNS)}: {topic.name} and {region.name}"
        body = "".join(
            "<p>" + " ".join(rng.choice(SENTENCES).format(**words) for _ in range(4)) + "</p>"
            for _ in range(rng.randint(3, 6))
        )
        project = rng.choice(terms[Project]) if rng.random() < IN_PROJECT_SHARE else None
        part = None
        if project and self.parts.get(project.pk, 0) < PARTS_PER_PROJECT:
            part = self.parts[project.pk] = self.parts.get(project.pk, 0) + 1
        age = rng.randrange(YEARS * 365)
        publication = Publication(
            slug=f"{PREFIX}{n}-{slug_of(title)[:60]}",
            kind=rng.choices(Publication.Kind.values, weights=[30, 10, 20, 20, 10, 5, 5], k=1)[0],
            title=title,
            subtitle=f"Part of a series on {topic.name.lower()}" if rng.random() < 0.3 else "",
            language="en",
            summary=" ".join(rng.choice(SENTENCES).format(**words) for _ in range(2)),
            body=body,
            status=Publication.Status.PUBLISHED,
            published_at=anchor - dt.timedelta(days=age, minutes=rng.randrange(1, 1440)),
            # Editors feature a few recent pieces, not one in a hundred of twenty years.
            featured=rng.random() < 0.01 and age < 365,
            project=project,
            project_part=part,
            programme=rng.choice(programmes) if rng.random() < 0.5 else None,
            view_count=int(rng.lognormvariate(5, 1.5)),
            download_count=int(rng.lognormvariate(3, 1.2)),
        )
        publication.generated_topics = {topic.pk}
        publication.generated_region = region
        return publication

    def translation(self, rng, n, original):
        title = " ".join(rng.sample(RU_TITLE_WORDS, 3))
        return Publication(
            slug=f"{PREFIX}{n}-ru",
            kind=original.kind,
            title=title,
            language="ru",
            translation_of=original,
            summary=" ".join(rng.sample(RU_SENTENCES, 2)),
            body="".join(f"<p>{s}</p>" for s in RU_SENTENCES),
            status=Publication.Status.PUBLISHED,
            published_at=original.published_at + dt.timedelta(days=rng.randint(1, 30)),
            project=original.project,
            project_part=original.project_part,
            programme=original.programme,
            view_count=int(rng.lognormvariate(3, 1.2)),
        )

    def relations(self, rng, rows, terms, audiences, people, author_weights, pdf):
        authorships, topics, regions, audience_rows, attachments, ratings = [], [], [], [], [], []
        author_range = range(len(people))
        TopicLink = Publication.topics.through
        RegionLink = Publication.regions.through
        AudienceLink = Publication.audiences.through
        for publication in rows:
            original = publication.translation_of is None
            if original:
                chosen = set()
                while len(chosen) < rng.choices([1, 2, 3, 4], weights=[40, 35, 15, 10], k=1)[0]:
                    chosen.add(rng.choices(author_range, cum_weights=author_weights, k=1)[0])
                publication.generated_authors = list(chosen)
                extra = rng.sample(terms[Topic], rng.randint(0, 2))
                publication.generated_topics |= {t.pk for t in extra}
                region_ids = {publication.generated_region.pk}
                region_ids |= {r.pk for r in rng.sample(terms[Region], rng.randint(0, 1))}
                publication.generated_regions = region_ids
            else:
                source = publication.translation_of
                publication.generated_authors = source.generated_authors
                publication.generated_topics = source.generated_topics
                publication.generated_regions = source.generated_regions
            for order, index in enumerate(publication.generated_authors, start=1):
                person, institution_id = people[index]
                authorships.append(
                    Authorship(
                        publication=publication,
                        person=person,
                        order=order,
                        institution_id=institution_id if rng.random() < 0.8 else None,
                    )
                )
            topics += [
                TopicLink(publication=publication, topic_id=pk)
                for pk in publication.generated_topics
            ]
            regions += [
                RegionLink(publication=publication, region_id=pk)
                for pk in publication.generated_regions
            ]
            audience_rows += [
                AudienceLink(publication=publication, audience=a)
                for a in rng.sample(audiences, rng.randint(1, 2))
            ]
            attachments.append(
                Attachment(
                    publication=publication,
                    file=pdf[0],
                    size_bytes=pdf[1],
                    title="Full report" if original else "Полный текст",
                    language=publication.language,
                )
            )
            if rng.random() < RATED_SHARE:
                stars = [
                    rng.choices([1, 2, 3, 4, 5], weights=[5, 8, 20, 35, 32], k=1)[0]
                    for _ in range(rng.randint(1, 10))
                ]
                ratings += [
                    Rating(publication=publication, reader=f"gen:{i}", stars=s)
                    for i, s in enumerate(stars)
                ]
                publication.rating_count, publication.rating_sum = len(stars), sum(stars)
                publication.ranked_count = publication.rating_count
                publication.ranked_average = ranked_average(publication)
        Authorship.objects.bulk_create(authorships, batch_size=BATCH)
        TopicLink.objects.bulk_create(topics, batch_size=BATCH)
        RegionLink.objects.bulk_create(regions, batch_size=BATCH)
        AudienceLink.objects.bulk_create(audience_rows, batch_size=BATCH)
        Attachment.objects.bulk_create(attachments, batch_size=BATCH)
        Rating.objects.bulk_create(ratings, batch_size=BATCH)
        rated = [p for p in rows if p.rating_count]
        Publication.objects.bulk_update(
            rated,
            ["rating_count", "rating_sum", "ranked_count", "ranked_average"],
            batch_size=BATCH,
        )

    def ensure_polls(self, rng):
        """Three open polls with votes whose stored totals equal the vote rows."""
        for k, question in enumerate(
            [
                "Should arms control talks resume this year?",
                "Which area offers most room for cooperation?",
                "Will the next dialogue round meet in person?",
            ]
        ):
            slug = f"{PREFIX}poll-{k + 1}"
            if Poll.objects.filter(slug=slug).exists():
                continue
            with transaction.atomic():
                poll = Poll.objects.create(
                    slug=slug,
                    question=question,
                    opens_at=timezone.now() - dt.timedelta(days=30 + k),
                    placement=Poll.Placement.NONE,
                )
                choices = Choice.objects.bulk_create(
                    Choice(poll=poll, text=text, order=order)
                    for order, text in enumerate(["Yes", "No", "Not sure", "Other"], start=1)
                )
                votes = [
                    Vote(poll=poll, choice=rng.choice(choices), reader=f"gen:{i}")
                    for i in range(rng.randint(20, 200))
                ]
                Vote.objects.bulk_create(votes)
                for choice in choices:
                    choice.vote_count = sum(1 for v in votes if v.choice is choice)
                Choice.objects.bulk_update(choices, ["vote_count"])
                Poll.objects.filter(pk=poll.pk).update(total_votes=len(votes))


@contextlib.contextmanager
def search_indexes_set_aside(say):
    """Drop the indexes on the publications' search vectors for the block and create them
    again from their own definitions afterwards, whatever happens in the block."""
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT i.indexname, i.indexdef FROM pg_indexes i
            WHERE i.schemaname = current_schema() AND i.tablename = 'publications_publication'
              AND i.indexdef LIKE '%%(search_vector)%%'
            ORDER BY i.indexname
            """
        )
        indexes = cursor.fetchall()
        for name, _definition in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
    try:
        yield
    finally:
        started = time.monotonic()
        with connection.cursor() as cursor:
            # Inside a transaction (a test's), deferred foreign-key checks must run first.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("SET maintenance_work_mem = '256MB'")
            for _name, definition in indexes:
                cursor.execute(definition)
            cursor.execute("RESET maintenance_work_mem")
        if indexes:
            names = ", ".join(name for name, _definition in indexes)
            say(f"  built {names} in {time.monotonic() - started:.0f}s")


def fill_search_vectors(first_pk, last_pk):
    """The same vector as publications.search.build_search_vector, for a range of rows at once."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            UPDATE publications_publication AS p SET search_vector =
                setweight(to_tsvector(c.config, concat_ws(' ', p.title, p.subtitle)), 'A')
                || setweight(to_tsvector('simple', coalesce((
                    SELECT string_agg(concat_ws(' ', pe.given_name, pe.family_name,
                                                pe.given_name_ru, pe.family_name_ru), ' '
                                      ORDER BY a."order", a.id)
                    FROM publications_authorship a
                    JOIN people_person pe ON pe.id = a.person_id
                    WHERE a.publication_id = p.id), '')), 'B')
                || setweight(to_tsvector(c.config, p.summary), 'C')
                || setweight(to_tsvector(c.config,
                        regexp_replace(p.body, '<[^>]*>', ' ', 'g')), 'D')
            FROM (VALUES ('en', 'english'::regconfig), ('ru', 'russian'::regconfig))
                AS c (language, config)
            WHERE c.language = p.language AND p.id BETWEEN %s AND %s AND p.slug LIKE %s
            """,
            [first_pk, last_pk, PREFIX + "%"],
        )

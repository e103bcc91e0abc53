"""A publication, its authors as printed and its attachments."""

import functools

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import (
    Case,
    CharField,
    Exists,
    F,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Lower
from django.db.models.lookups import Exact, IsNull
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from django_prose_editor.fields import ProseEditorField

from dialogue_portal.core.translation import Translated, version_link_errors
from dialogue_portal.core.uploads import (
    attachment_upload_to,
    banner_upload_to,
    validate_image_upload,
    validate_pdf_upload,
)
from people.models import Affiliation, Institution, Person
from publications.identifiers import DOIField, doi_url, normalize_doi
from publications.models.counts import ranked_average
from publications.models.terms import Audience, Programme, Project, Region, Topic
from publications.renditions import srcset
from publications.sanitize import sanitize_html

LANGUAGE_CHOICES = [("en", _("English")), ("ru", _("Russian"))]
# A card's link to its work's version in another language (each language's own grammar).
ALSO_IN = {"en": _("Also in English"), "ru": _("Also in Russian")}


def authors_prefetch():
    """Authorships in byline order with person and institution, as one prefetch query.

    Where an authorship names no institution, the author's current one is annotated
    (``fallback_institution_*``) so bylines and citations need no further query."""
    return Prefetch("authorships", queryset=_byline_authorships().all())


def attachments_in_order():
    return Attachment.objects.order_by("order", "pk")


@functools.cache
def _byline_authorships():
    # Built once per process: resolving five subqueries costs more than running them.
    # Callers take a copy (a clone is cheap), so the shared queryset is never run.
    current = Affiliation.objects.filter(person=OuterRef("person"), is_current=True).order_by(
        "order", "pk"
    )
    return (
        Authorship.objects.select_related("person", "institution")
        .annotate(
            fallback_institution_name=Subquery(current.values("institution__name")[:1]),
            fallback_institution_short_name=Subquery(current.values("institution__short_name")[:1]),
            fallback_institution_slug=Subquery(current.values("institution__slug")[:1]),
            fallback_institution_name_ru=Subquery(current.values("institution__name_ru")[:1]),
            fallback_institution_short_name_ru=Subquery(
                current.values("institution__short_name_ru")[:1]
            ),
        )
        .order_by("order", "pk")
    )


def _version_rank(language, ref):
    """Which version of a work a list in ``language`` shows first: 0 a version in that
    language, 1 the original, 2 another translation (``ref``: F for the row itself,
    OuterRef for the row of the enclosing query)."""
    return Case(
        When(Exact(ref("language"), Value(language)), then=Value(0)),
        When(IsNull(ref("translation_of"), True), then=Value(1)),
        default=Value(2),
        output_field=models.IntegerField(),
    )


class PublicationQuerySet(models.QuerySet):
    def published(self):
        """What the public may see: published, and its publish date has come."""
        return self.filter(status=Publication.Status.PUBLISHED, published_at__lte=timezone.now())

    def visible_to(self, user):
        """Staff preview drafts and scheduled work; everyone else sees the published."""
        if user.is_authenticated and user.is_staff:
            return self.all()
        return self.published()

    def by_author(self, person):
        return self.filter(authorships__person=person)

    def authors(self):
        """The people who wrote these publications (``published().authors()``: everyone
        with published work)."""
        # EXISTS per person, not IN over every authorship of these publications: a person
        # is found at their first authorship (an institution's 60 people at 100,000
        # publications: 15 ms, not 117).
        wrote = Authorship.objects.filter(person=OuterRef("pk"), publication__in=self)
        return Person.objects.filter(Exists(wrote))

    def with_authors(self):
        return self.prefetch_related(authors_prefetch())

    def for_listing(self):
        """What a card in a list shows: kind, date, title, summary, authors, banner."""
        return self.for_cards().with_authors()

    def one_per_work(self, language, *, among=None, alike=None):
        """Each work among these rows once (a work is an original with its translations):
        its version in ``language`` where these rows hold one, otherwise the original,
        otherwise the version they hold (the oldest row, should there be several).

        Chosen among these rows, not among all of a work's versions, so that a filter or
        a search that matches only one version still lists the work. A row is kept when
        no row of its work ranks before it (NOT EXISTS, which PostgreSQL runs as
        anti-joins), in a fixed number of index look-ups per row, whatever the number of rows.

        ``among`` (default: these rows) and ``alike``, which narrows the choice to versions
        with the same value in a column (``{"kind": OuterRef("key")}``), serve the facet
        counts: they group the rows by a column and count each option as if it were chosen
        (publications.facets)."""
        translation_first, original_first = self._versions_before(language, among, alike)
        return self.filter(~translation_first).filter(
            Q(translation_of__isnull=True) | ~original_first
        )

    def set_aside_versions(self, language, *, among=None, alike=None):
        """The rows ``one_per_work()`` leaves out (with the same arguments): versions of a
        work that another row stands for. Only a translation or a translated original can
        be one, so this reads those few rows, not the whole list: the facet counts count
        every row from an index alone and take these away."""
        among_ = (self if among is None else among).order_by()
        translated = among_.filter(translation_of__isnull=False)
        # The versions of works translated among these rows: found through the index on
        # work (an OR of "is a translation" and "is an original of one" read every row).
        candidates = self.filter(work__in=translated.values("work"))
        translation_first, original_first = self._versions_before(language, among, alike)
        return candidates.filter(
            translation_first | (Q(translation_of__isnull=False) & original_first)
        )

    def _versions_before(self, language, among, alike):
        """Two conditions on a row: a translation of its work among ``among`` ranks before
        it; its original among ``among`` ranks before it (``_version_rank``, then id)."""
        among = (self if among is None else among).order_by()
        if alike:
            among = among.filter(**alike)
        own_rank = _version_rank(language, OuterRef)
        ranks_before = Q(version_rank__lt=own_rank) | Q(
            version_rank=own_rank, pk__lt=OuterRef("pk")
        )

        def before(versions):
            ranked = versions.annotate(version_rank=_version_rank(language, F))
            return Exists(ranked.filter(ranks_before))

        # Neither reads the whole list: a work's translations are few (found through the
        # index on translation_of), and only a translation has an original (primary key).
        translations = among.filter(translation_of__isnull=False, work=OuterRef("work"))
        original = among.filter(pk=OuterRef("translation_of"))
        return before(translations), before(original)

    def for_cards(self):
        """A card's row without its authors: ``{% publication_cards %}`` fetches those
        only for the cards it has to render (publications.cards). Each row carries its
        work's other public version, which the card offers ("Also in Russian"): one
        look-up in the ``(work, language)`` index per row shown, no further query."""
        others = (
            Publication.objects.published()
            .filter(work=OuterRef("work"))
            .exclude(pk=OuterRef("pk"))
            .order_by("language", "pk")
        )
        return (
            self.select_related("project")
            .defer("body", "search_vector")
            .annotate(
                other_version_language=Subquery(others.values("language")[:1]),
                other_version_slug=Subquery(others.values("slug")[:1]),
            )
        )

    def for_detail(self):
        """The publication page: the row, its authors and its attachments (tags come from
        ``term_ids()`` and the cached term lists)."""
        return (
            self.for_detail_row()
            .with_authors()
            .prefetch_related(Prefetch("attachments", queryset=attachments_in_order()))
        )

    def for_detail_row(self):
        """The publication page's row alone (``Publication.with_parts()`` adds the rest)."""
        return self.select_related("project", "programme", "translation_of").defer("search_vector")


class Publication(models.Model):
    class Kind(models.TextChoices):
        REPORT = "report", _("Report")
        CONFERENCE_REPORT = "conference-report", _("Conference report")
        ARTICLE = "article", _("Article")
        COMMENTARY = "commentary", _("Commentary")
        BRIEFING = "briefing", _("Briefing paper")
        OCCASIONAL_PAPER = "occasional-paper", _("Occasional paper")
        INTERVIEW = "interview", _("Interview")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        REVIEW = "review", _("In review")
        PUBLISHED = "published", _("Published")

    kind = models.CharField(_("kind"), max_length=32, choices=Kind, default=Kind.REPORT)
    title = models.CharField(_("title"), max_length=300)
    subtitle = models.CharField(_("subtitle"), max_length=300, blank=True)
    slug = models.SlugField(_("slug"), max_length=200, unique=True)
    # Set by an archive import: the record's id in the archive, so importing it again
    # updates this publication instead of adding another (dialogue_portal.archive).
    external_id = models.CharField(
        _("archive id"), max_length=200, unique=True, null=True, blank=True, editable=False
    )
    language = models.CharField(_("language"), max_length=8, choices=LANGUAGE_CHOICES, default="en")
    translation_of = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="translations",
        verbose_name=_("translation of"),
        help_text=_("For a translated version: the original publication it translates."),
    )
    # The work this is a version of: the original's id, shared by all its translations.
    # Computed by the database, so every write (bulk ones and SET_NULL too) keeps it true.
    work = models.GeneratedField(
        expression=Coalesce("translation_of", "id"),
        output_field=models.BigIntegerField(),
        db_persist=True,
        verbose_name=_("work"),
    )
    summary = models.TextField(_("summary"), help_text=_("A paragraph or two, plain text."))
    doi = DOIField(
        _("DOI"),
        max_length=255,
        blank=True,
        default="",
        help_text=_(
            "Optional persistent identifier, e.g. 10.1234/abc-5678; "
            "a https://doi.org/ link or “doi:” prefix is removed."
        ),
    )
    body = ProseEditorField(
        _("body"),
        blank=True,
        extensions={
            "Bold": True,
            "Italic": True,
            "Underline": True,
            "Strike": True,
            "Subscript": True,
            "Superscript": True,
            "Heading": {"levels": [2, 3, 4]},
            "BulletList": True,
            "OrderedList": True,
            "ListItem": True,
            "Blockquote": True,
            "HorizontalRule": True,
            "Link": {"enableTarget": False, "protocols": ["http", "https", "mailto"]},
            "Table": True,
            "TableRow": True,
            "TableHeader": True,
            "TableCell": True,
            "History": True,
            "HTML": True,
        },
        sanitize=sanitize_html,
    )
    banner_image = models.ImageField(
        _("banner image"),
        upload_to=banner_upload_to,
        blank=True,
        validators=[validate_image_upload],
        db_index=True,  # the media view asks whose a file is (publications.files)
        width_field="banner_width",
        height_field="banner_height",
    )
    banner_width = models.PositiveIntegerField(
        _("banner width"), null=True, blank=True, editable=False
    )
    banner_height = models.PositiveIntegerField(
        _("banner height"), null=True, blank=True, editable=False
    )
    # {"source": banner name, "sizes": [{"width", "height", "name"}]}: publications.renditions
    banner_renditions = models.JSONField(
        _("banner renditions"), default=dict, blank=True, editable=False
    )
    banner_alt = models.CharField(
        _("banner alt text"),
        max_length=300,
        blank=True,
        help_text=_("What the image shows, for readers who cannot see it."),
    )
    banner_caption = models.CharField(_("banner caption"), max_length=500, blank=True)
    banner_credit = models.CharField(
        _("banner credit"),
        max_length=200,
        blank=True,
        help_text=_("e.g. “Courtesy of the Royal Air Force”"),
    )
    status = models.CharField(_("status"), max_length=16, choices=Status, default=Status.DRAFT)
    published_at = models.DateTimeField(
        _("publish date"),
        null=True,
        blank=True,
        help_text=_("A future date schedules the publication."),
    )
    featured = models.BooleanField(_("featured on the home page"), default=False)
    topics = models.ManyToManyField(
        Topic, blank=True, related_name="publications", verbose_name=_("topics")
    )
    regions = models.ManyToManyField(
        Region, blank=True, related_name="publications", verbose_name=_("regions")
    )
    audiences = models.ManyToManyField(
        Audience, blank=True, related_name="publications", verbose_name=_("audiences")
    )
    project = models.ForeignKey(
        Project,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="publications",
        verbose_name=_("project"),
    )
    project_part = models.PositiveSmallIntegerField(
        _("part"),
        null=True,
        blank=True,
        help_text=_("The round or part within the project: 1, 2, 3…"),
    )
    programme = models.ForeignKey(
        Programme,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="publications",
        verbose_name=_("programme"),
    )
    people = models.ManyToManyField(
        Person, through="Authorship", related_name="publications", verbose_name=_("authors")
    )
    rating_count = models.PositiveIntegerField(_("ratings"), default=0, editable=False)
    rating_sum = models.PositiveIntegerField(_("sum of ratings"), default=0, editable=False)
    # The rating as the top-rated order reads it: copied from the totals above when the
    # publication is saved and by ``flush_counts`` (publications.services.sync_ranking),
    # never by a reader's rating. A rating then changes no indexed column, so PostgreSQL
    # updates the row in place (a HOT update) instead of writing an entry in every index.
    ranked_average = models.FloatField(_("average rating, ranked"), default=0.0, editable=False)
    ranked_count = models.PositiveIntegerField(_("ratings, ranked"), default=0, editable=False)
    view_count = models.PositiveIntegerField(_("views"), default=0, editable=False)
    download_count = models.PositiveIntegerField(_("downloads"), default=0, editable=False)
    # Full-text search on PostgreSQL (GIN-indexed there); unused on SQLite.
    search_vector = SearchVectorField(_("search vector"), null=True, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = PublicationQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-pk"]
        verbose_name = _("publication")
        verbose_name_plural = _("publications")
        get_latest_by = "published_at"
        # Reviewers hold it, editors do not: they submit drafts and propose changes instead.
        permissions = [("publish_publication", _("Can publish, unpublish and approve"))]
        indexes = [
            # The admin's list, every status in the model's order, and its year filter's
            # first and last dates: an index walk of 100 rows instead of a sort of them all.
            models.Index(F("published_at").desc(), F("id").desc(), name="pub_date_id"),
            models.Index(fields=["status", "-published_at"], name="pub_status_date"),
            models.Index(fields=["kind", "-published_at"], name="pub_kind_date"),
            models.Index(fields=["language", "-published_at"], name="pub_language_date"),
            models.Index(fields=["project", "project_part"], name="pub_project_part"),
            # One card per work: "has this work a version in the reader's language?"
            models.Index(fields=["work", "language"], name="pub_work_language"),
            # The list's other sorts and the home page's "most read", "top rated" and
            # "featured", over published work only (the filter every public page applies).
            models.Index(
                F("view_count").desc(),
                F("published_at").desc(),
                F("id").desc(),
                name="pub_popular",
                condition=Q(status="published"),
            ),
            models.Index(
                F("ranked_average").desc(),
                F("ranked_count").desc(),
                F("published_at").desc(),
                F("id").desc(),
                name="pub_ranked",
                condition=Q(status="published"),
            ),
            # Facet counts group the published list by these columns, each work once
            # (work, translation_of, id; link tables join on id): read from the index alone
            # (PostgreSQL) instead of the wide table.
            models.Index(
                fields=[
                    "published_at",
                    "kind",
                    "language",
                    "project",
                    "programme",
                    "work",
                    "translation_of",
                    "id",
                ],
                name="pub_facet_columns",
                condition=Q(status="published"),
            ),
            models.Index(
                F("published_at").desc(),
                name="pub_featured_date",
                condition=Q(featured=True, status="published"),
            ),
            # The figures view ranks the most read per language: each summed publication's
            # language from this small index alone (PostgreSQL), not from the wide rows.
            models.Index(fields=["id"], include=["language"], name="pub_id_language"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="published") | Q(published_at__isnull=False),
                name="publication_published_has_date",
                violation_error_message=_("A published publication needs a publish date."),
            ),
            models.CheckConstraint(
                condition=Q(project_part__isnull=True) | Q(project__isnull=False),
                name="publication_part_needs_project",
                violation_error_message=_("A part number needs a project."),
            ),
            models.CheckConstraint(
                condition=Q(rating_sum__gte=F("rating_count"))
                & Q(rating_sum__lte=F("rating_count") * 5),
                name="publication_rating_totals_in_range",
            ),
            models.CheckConstraint(
                condition=~Q(translation_of=F("pk")),
                name="publication_not_own_translation",
            ),
            models.UniqueConstraint(
                Lower("doi"),
                name="publication_doi_unique",
                condition=~Q(doi=""),
                violation_error_message=_("Another publication already has this DOI."),
            ),
            models.UniqueConstraint(
                fields=["translation_of", "language"],
                name="publication_one_translation_per_language",
                violation_error_message=_(
                    "That publication already has a version in this language."
                ),
            ),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        self.body = sanitize_html(self.body)
        self.doi = normalize_doi(self.doi)
        if self.status == self.Status.PUBLISHED and self.published_at is None:
            self.published_at = timezone.now()
        self.ranked_count, self.ranked_average = self.rating_count, ranked_average(self)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("publications:detail", kwargs={"slug": self.slug})

    def clean(self):
        errors = {}
        if self.status == self.Status.PUBLISHED and self.published_at is None:
            self.published_at = timezone.now()
        if self.project_part and not self.project_id:
            errors["project_part"] = _("A part number needs a project.")
        errors.update(
            version_link_errors(
                self,
                itself=_("A publication cannot be a translation of itself."),
                chained=_("Link to the original publication, not to another translation."),
            )
        )
        if errors:
            raise ValidationError(errors)

    @property
    def doi_url(self):
        """The DOI as a resolver link (https://doi.org/…), or ""."""
        return doi_url(self.doi)

    @property
    def is_public(self):
        return (
            self.status == self.Status.PUBLISHED
            and self.published_at is not None
            and self.published_at <= timezone.now()
        )

    @property
    def is_scheduled(self):
        return (
            self.status == self.Status.PUBLISHED
            and self.published_at is not None
            and self.published_at > timezone.now()
        )

    @property
    def banner_srcset(self):
        """The banner's WebP renditions and the original, for ``<img srcset>``."""
        return srcset(self)

    @property
    def rating_average(self):
        if not self.rating_count:
            return None
        return round(self.rating_sum / self.rating_count, 1)

    @property
    def authors(self):
        """Authorships in byline order (prefetched by for_listing/for_detail)."""
        return list(self.authorships.all())

    @property
    def other_version(self):
        """The work's other public version a card offers, from ``for_cards()``'s
        annotations: ``{"language", "label", "url"}`` (the page opens with the interface
        in that version's language), or None."""
        language = getattr(self, "other_version_language", None)
        if not language:
            return None
        with translation.override(language):
            url = reverse("publications:detail", kwargs={"slug": self.other_version_slug})
        label = ALSO_IN.get(language) or _("Also in %(language)s") % {"language": language}
        return {"language": language, "label": label, "url": url}

    def term_ids(self):
        """{"topic": [ids], "region": [ids], "audience": [ids]} in one UNION ALL query."""
        through = {
            "topic": (Publication.topics.through, "topic_id"),
            "region": (Publication.regions.through, "region_id"),
            "audience": (Publication.audiences.through, "audience_id"),
        }
        parts = [
            model.objects.filter(publication_id=self.pk)
            .annotate(kind=Value(kind, output_field=CharField()))
            .values_list("kind", column)
            for kind, (model, column) in through.items()
        ]
        ids = {kind: [] for kind in through}
        first, *rest = parts
        for kind, term_id in first.union(*rest, all=True).order_by():
            ids[kind].append(term_id)
        return ids

    def versions_and_series(self, language):
        """The other-language versions, and the parts of the project, in one query.

        Each part once (``one_per_work``): its version in ``language`` where one is
        public, otherwise its original; this publication stands for its own part."""
        original_id = self.translation_of_id or self.pk
        related = Q(pk=original_id) | Q(translation_of_id=original_id)
        if self.project_id:
            in_series = Q(project_id=self.project_id, project_part__isnull=False)
            parts = Publication.objects.published().filter(in_series).one_per_work(language)
            # The project's condition found through its index, then narrowed to the chosen.
            related |= in_series & Q(pk__in=parts.values("pk"))
        rows = list(
            Publication.objects.published()
            .filter(related)
            .only(
                "pk",
                "slug",
                "title",
                "language",
                "project_id",
                "project_part",
                "translation_of_id",
                "published_at",
            )
            .order_by("project_part", "published_at", "pk")
        )
        versions = sorted(
            (
                row
                for row in rows
                if row.pk != self.pk
                and (row.pk == original_id or row.translation_of_id == original_id)
            ),
            key=lambda row: row.language,
        )
        # The other parts were fetched as chosen; this work's versions as versions.
        series = [
            row
            for row in rows
            if self.project_id
            and row.project_id == self.project_id
            and row.project_part is not None
            and (row.translation_of_id or row.pk) != original_id
        ]
        if self.project_id and self.project_part is not None and self.is_public:
            series.append(self)
            series.sort(key=lambda row: row.project_part)
        return versions, series

    def language_versions(self):
        """The other-language versions of this publication that the public may see."""
        original_id = self.translation_of_id or self.pk
        return (
            Publication.objects.published()
            .filter(Q(pk=original_id) | Q(translation_of_id=original_id))
            .exclude(pk=self.pk)
            .only("pk", "slug", "title", "language")
            .order_by("language")
        )

    def language_urls(self, versions):
        """{language: path} of this publication's page for each interface language: the
        version written in that language where there is one (``versions`` from
        ``language_versions()``), else this publication under that language's prefix."""
        written_in = {version.language: version for version in versions}
        written_in[self.language] = self
        urls = {}
        for code, _name in settings.LANGUAGES:
            with translation.override(code):
                urls[code] = written_in.get(code, self).get_absolute_url()
        return urls


class Authorship(models.Model):
    publication = models.ForeignKey(
        Publication,
        on_delete=models.CASCADE,
        related_name="authorships",
        verbose_name=_("publication"),
    )
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="authorships", verbose_name=_("person")
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    byline_position = models.CharField(
        _("position as printed"),
        max_length=300,
        blank=True,
        help_text=_(
            "The author's position as this publication prints it; empty: their current position."
        ),
    )
    byline_position_ru = models.CharField(
        _("position as printed (Russian)"), max_length=300, blank=True
    )
    institution = models.ForeignKey(
        Institution,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="authorships",
        verbose_name=_("institution"),
        help_text=_("The institution this publication names for the author."),
    )

    display_byline_position = Translated("byline_position")

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = _("author")
        verbose_name_plural = _("authors")
        constraints = [
            models.UniqueConstraint(
                fields=["publication", "person"],
                name="authorship_person_once_per_publication",
                violation_error_message=_("This person is already an author of the publication."),
            ),
        ]

    def __str__(self):
        return str(self.person)

    @property
    def position(self):
        return self.display_byline_position or self.person.display_position

    @property
    def byline_institution(self):
        """The institution named on this publication, else the author's current one."""
        if self.institution_id:
            return self.institution
        slug = getattr(self, "fallback_institution_slug", None)
        if slug:
            return Institution(
                slug=slug,
                name=self.fallback_institution_name,
                name_ru=self.fallback_institution_name_ru or "",
                short_name=self.fallback_institution_short_name or "",
                short_name_ru=self.fallback_institution_short_name_ru or "",
            )
        return None


class Attachment(models.Model):
    publication = models.ForeignKey(
        Publication,
        on_delete=models.CASCADE,
        related_name="attachments",
        verbose_name=_("publication"),
    )
    file = models.FileField(
        _("file"),
        upload_to=attachment_upload_to,
        validators=[validate_pdf_upload],
        db_index=True,  # the media view asks whose a file is (publications.files)
    )
    title = models.CharField(_("title"), max_length=300)
    language = models.CharField(_("language"), max_length=8, choices=LANGUAGE_CHOICES, default="en")
    size_bytes = models.PositiveBigIntegerField(_("size in bytes"), default=0, editable=False)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    download_count = models.PositiveIntegerField(_("downloads"), default=0, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        if self.file:
            self.size_bytes = self.file.size
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse(
            "publications:download", kwargs={"slug": self.publication.slug, "pk": self.pk}
        )

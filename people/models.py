from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from dialogue_portal.core.translation import Translated
from dialogue_portal.core.uploads import banner_upload_to, validate_image_upload
from people.identifiers import validate_orcid


class Institution(models.Model):
    name = models.CharField(_("name"), max_length=200)
    name_ru = models.CharField(_("name (Russian)"), max_length=200, blank=True)
    short_name = models.CharField(_("short name"), max_length=40, blank=True, help_text="RUSI")
    short_name_ru = models.CharField(_("short name (Russian)"), max_length=40, blank=True)
    slug = models.SlugField(_("slug"), max_length=200, unique=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    city_ru = models.CharField(_("city (Russian)"), max_length=100, blank=True)
    website = models.URLField(_("website"), blank=True)
    description = models.TextField(_("description"), blank=True)
    description_ru = models.TextField(_("description (Russian)"), blank=True)

    display_name = Translated("name")
    display_short_name = Translated("short_name")
    display_city = Translated("city")
    display_description = Translated("description")

    class Meta:
        ordering = ["name"]
        verbose_name = _("institution")
        verbose_name_plural = _("institutions")

    def __str__(self):
        return self.short_name or self.name

    def get_absolute_url(self):
        return reverse("people:institution", kwargs={"slug": self.slug})

    @property
    def label(self):
        """The name a byline prints: the short form where there is one."""
        return self.display_short_name or self.display_name


class PersonQuerySet(models.QuerySet):
    def for_listing(self):
        return self.prefetch_related(
            models.Prefetch(
                "affiliations",
                queryset=Affiliation.objects.filter(is_current=True).select_related("institution"),
                to_attr="current_affiliations",
            )
        )


class Person(models.Model):
    # What search reads of a person, on the site and in the admin (textsearch.words_match).
    SEARCH_FIELDS = ("given_name", "family_name", "given_name_ru", "family_name_ru", "position")

    given_name = models.CharField(_("given name"), max_length=100)
    family_name = models.CharField(_("family name"), max_length=100)
    given_name_ru = models.CharField(_("given name (Russian)"), max_length=100, blank=True)
    family_name_ru = models.CharField(_("family name (Russian)"), max_length=100, blank=True)
    slug = models.SlugField(_("slug"), max_length=200, unique=True)
    honorific = models.CharField(
        _("honorific"),
        max_length=120,
        blank=True,
        help_text=_("As printed, e.g. “Ph.D. in History”."),
    )
    honorific_ru = models.CharField(_("honorific (Russian)"), max_length=120, blank=True)
    position = models.CharField(
        _("position"),
        max_length=255,
        blank=True,
        help_text=_("Current position, e.g. “Research Fellow”."),
    )
    position_ru = models.CharField(_("position (Russian)"), max_length=255, blank=True)
    short_bio = models.TextField(_("short bio"), blank=True, help_text=_("One or two sentences."))
    short_bio_ru = models.TextField(_("short bio (Russian)"), blank=True)
    bio = models.TextField(_("full bio"), blank=True)
    bio_ru = models.TextField(_("full bio (Russian)"), blank=True)
    photo = models.ImageField(
        _("photo"), upload_to=banner_upload_to, blank=True, validators=[validate_image_upload]
    )
    orcid = models.CharField(
        _("ORCID iD"),
        max_length=19,
        blank=True,
        validators=[validate_orcid],
        help_text=_("16 characters such as 0000-0002-1825-0097; the last is a check digit."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = PersonQuerySet.as_manager()

    display_honorific = Translated("honorific")
    display_position = Translated("position")
    display_short_bio = Translated("short_bio")
    display_bio = Translated("bio")
    display_given_name = Translated("given_name")
    display_family_name = Translated("family_name")

    class Meta:
        ordering = ["family_name", "given_name"]
        verbose_name = _("person")
        verbose_name_plural = _("people")
        indexes = [models.Index(fields=["family_name", "given_name"])]

    def __str__(self):
        return f"{self.given_name} {self.family_name}"

    def get_absolute_url(self):
        return reverse("people:detail", kwargs={"slug": self.slug})

    @property
    def name(self):
        return f"{self.display_given_name} {self.display_family_name}"

    @property
    def citation_name(self):
        """``Family, Given`` as citation styles and BibTeX want it (always the main spelling)."""
        return f"{self.family_name}, {self.given_name}"

    @property
    def initial(self):
        return (self.display_family_name[:1] or "?").upper()


class Affiliation(models.Model):
    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="affiliations", verbose_name=_("person")
    )
    institution = models.ForeignKey(
        Institution,
        on_delete=models.PROTECT,
        related_name="affiliations",
        verbose_name=_("institution"),
    )
    role = models.CharField(_("role"), max_length=200, blank=True)
    role_ru = models.CharField(_("role (Russian)"), max_length=200, blank=True)
    department = models.CharField(_("department"), max_length=200, blank=True)
    department_ru = models.CharField(_("department (Russian)"), max_length=200, blank=True)
    is_current = models.BooleanField(_("current"), default=True)
    start_year = models.PositiveSmallIntegerField(_("from (year)"), null=True, blank=True)
    end_year = models.PositiveSmallIntegerField(_("until (year)"), null=True, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    display_role = Translated("role")
    display_department = Translated("department")

    class Meta:
        ordering = ["-is_current", "order", "-start_year", "pk"]
        verbose_name = _("affiliation")
        verbose_name_plural = _("affiliations")
        constraints = [
            models.CheckConstraint(
                condition=Q(end_year__isnull=True)
                | Q(start_year__isnull=True)
                | Q(end_year__gte=models.F("start_year")),
                name="affiliation_years_in_order",
                violation_error_message=_("An affiliation cannot end before it starts."),
            ),
        ]

    def __str__(self):
        parts = [self.role, self.department, str(self.institution)]
        return ", ".join(part for part in parts if part)

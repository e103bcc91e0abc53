"""The names readers browse publications by: topics, regions, audiences, programmes and
projects."""

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from dialogue_portal.core.translation import Translated
from people.models import Institution


class Term(models.Model):
    """A name readers browse by: topic, region, audience, programme."""

    name = models.CharField(_("name"), max_length=120)
    name_ru = models.CharField(_("name (Russian)"), max_length=120, blank=True)
    slug = models.SlugField(_("slug"), max_length=120, unique=True)
    description = models.TextField(_("description"), blank=True)
    description_ru = models.TextField(_("description (Russian)"), blank=True)

    display_name = Translated("name")
    display_description = Translated("description")

    class Meta:
        abstract = True
        ordering = ["name"]

    def __str__(self):
        return self.name


class Topic(Term):
    class Meta(Term.Meta):
        verbose_name = _("topic")
        verbose_name_plural = _("topics")

    def get_absolute_url(self):
        return reverse("publications:topic", kwargs={"slug": self.slug})


class Region(Term):
    class Meta(Term.Meta):
        verbose_name = _("region")
        verbose_name_plural = _("regions")

    def get_absolute_url(self):
        return reverse("publications:region", kwargs={"slug": self.slug})


class Audience(Term):
    """Who a publication is for: business, researchers, students (the seed's footer sections)."""

    class Meta(Term.Meta):
        verbose_name = _("audience")
        verbose_name_plural = _("audiences")

    def get_absolute_url(self):
        return reverse("publications:audience", kwargs={"slug": self.slug})


class Programme(Term):
    """A research group, such as “International Security Studies”."""

    institution = models.ForeignKey(
        Institution,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="programmes",
        verbose_name=_("institution"),
    )

    class Meta(Term.Meta):
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")

    def get_absolute_url(self):
        return reverse("publications:programme", kwargs={"slug": self.slug})


class Project(Term):
    """A series of work, such as the UK–Russia Security Dialogue with its rounds."""

    institutions = models.ManyToManyField(
        Institution, blank=True, related_name="projects", verbose_name=_("institutions")
    )
    started = models.DateField(_("started"), null=True, blank=True)
    ended = models.DateField(_("ended"), null=True, blank=True)

    class Meta(Term.Meta):
        verbose_name = _("project")
        verbose_name_plural = _("projects")

    def get_absolute_url(self):
        return reverse("publications:project", kwargs={"slug": self.slug})

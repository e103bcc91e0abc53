"""A page editors write: About, Support our research, Contact, an audience's introduction,
or any other page. One row per language; a translation links to its original, as
publications do.

The site's own pages have fixed addresses (``/about/``, ``/support/``, ``/contact/``,
``/for/<audience>/``), so the footer links to them without asking the database; any other
page lives at ``/pages/<slug>/``. An audience's introduction is a page linked to the
audience: its text lives here only.
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django_prose_editor.fields import ProseEditorField

from dialogue_portal.core.translation import version_link_errors
from publications.models import LANGUAGE_CHOICES, Audience
from publications.sanitize import sanitize_html

EDITOR_EXTENSIONS = {
    "Bold": True,
    "Italic": True,
    "Underline": True,
    "Strike": True,
    "Heading": {"levels": [2, 3, 4]},
    "BulletList": True,
    "OrderedList": True,
    "ListItem": True,
    "Blockquote": True,
    "HorizontalRule": True,
    "Link": {"enableTarget": False, "protocols": ["http", "https", "mailto"]},
    "History": True,
    "HTML": True,
}


class PageQuerySet(models.QuerySet):
    def published(self):
        return self.filter(is_published=True)

    def visible_to(self, user):
        """Staff preview unpublished pages; everyone else sees the published ones."""
        if user.is_authenticated and user.is_staff:
            return self.all()
        return self.published()


class Page(models.Model):
    class Role(models.TextChoices):
        PAGE = "page", _("Other page (at /pages/<slug>/)")
        ABOUT = "about", _("About")
        SUPPORT = "support", _("Support our research")
        CONTACT = "contact", _("Contact")
        AUDIENCE = "audience", _("Introduction for an audience")

    # The pages the footer links to by address, in the footer's order.
    SITE_ROLES = (Role.ABOUT, Role.SUPPORT, Role.CONTACT)

    role = models.CharField(
        _("kind of page"),
        max_length=16,
        choices=Role,
        default=Role.PAGE,
        help_text=_(
            "About, Support and Contact have fixed addresses linked from every page's footer; "
            "one of each per language."
        ),
    )
    audience = models.ForeignKey(
        Audience,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="pages",
        verbose_name=_("audience"),
        help_text=_("For an introduction: the audience it introduces."),
    )
    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(
        _("slug"), max_length=100, help_text=_("The address of an other page: /pages/<slug>/.")
    )
    language = models.CharField(_("language"), max_length=8, choices=LANGUAGE_CHOICES, default="en")
    translation_of = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="translations",
        verbose_name=_("translation of"),
        help_text=_("For a translated version: the original page it translates."),
    )
    summary = models.TextField(
        _("summary"), blank=True, help_text=_("One or two sentences, plain text: the page's lead.")
    )
    body = ProseEditorField(
        _("body"), blank=True, extensions=EDITOR_EXTENSIONS, sanitize=sanitize_html
    )
    donation_url = models.URLField(
        _("donation link"),
        blank=True,
        help_text=_("Support page: where readers give (an outside payment page)."),
    )
    donation_label = models.CharField(
        _("donation button text"), max_length=80, blank=True, help_text=_("e.g. “Donate”")
    )
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    contact_phone = models.CharField(_("contact telephone"), max_length=40, blank=True)
    address = models.TextField(_("postal address"), blank=True)
    is_published = models.BooleanField(
        _("published"), default=False, help_text=_("Unpublished pages are shown to staff only.")
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PageQuerySet.as_manager()

    class Meta:
        ordering = ["role", "title"]
        verbose_name = _("page")
        verbose_name_plural = _("pages")
        constraints = [
            models.UniqueConstraint(
                fields=["slug", "language"],
                name="page_slug_once_per_language",
                violation_error_message=_("A page in this language already has that slug."),
            ),
            models.UniqueConstraint(
                fields=["translation_of", "language"],
                name="page_one_translation_per_language",
                violation_error_message=_("That page already has a version in this language."),
            ),
            models.UniqueConstraint(
                fields=["role", "language"],
                condition=Q(role__in=["about", "support", "contact"]),
                name="page_site_role_once_per_language",
                violation_error_message=_("There is already such a page in this language."),
            ),
            models.UniqueConstraint(
                fields=["audience", "language"],
                name="page_one_introduction_per_audience_and_language",
                violation_error_message=_(
                    "This audience already has an introduction in this language."
                ),
            ),
            models.CheckConstraint(
                condition=(Q(role="audience") & Q(audience__isnull=False))
                | (~Q(role="audience") & Q(audience__isnull=True)),
                name="page_audience_only_for_introductions",
                violation_error_message=_(
                    "An introduction needs its audience, and only an introduction has one."
                ),
            ),
            models.CheckConstraint(
                condition=~Q(translation_of=F("pk")), name="page_not_own_translation"
            ),
        ]

    def __str__(self):
        return f"{self.title} ({self.language})"

    def save(self, *args, **kwargs):
        self.body = sanitize_html(self.body)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        """The page's address in the active interface language."""
        if self.role in self.SITE_ROLES:
            return reverse(f"pages:{self.role}")
        if self.role == self.Role.AUDIENCE:
            return reverse("pages:audience", args=[self.audience.slug])
        return reverse("pages:detail", args=[self.slug])

    def clean(self):
        errors = {}
        if self.role == self.Role.AUDIENCE and self.audience_id is None:
            errors["audience"] = _("Choose the audience this page introduces.")
        if self.role != self.Role.AUDIENCE and self.audience_id is not None:
            errors["audience"] = _("Only an introduction for an audience names one.")
        linked = version_link_errors(
            self,
            itself=_("A page cannot be a translation of itself."),
            chained=_("Link to the original page, not to another translation."),
        )
        original = self.translation_of
        if linked:
            errors.update(linked)
        elif original is not None and (
            original.role != self.role or original.audience_id != self.audience_id
        ):
            errors["translation_of"] = _("A translation must be the same kind of page.")
        if errors:
            raise ValidationError(errors)

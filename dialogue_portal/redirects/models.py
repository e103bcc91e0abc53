from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from dialogue_portal.redirects.paths import MAX_LENGTH, lookup_keys


class RedirectQuerySet(models.QuerySet):
    def matching(self, path: str, query: str = ""):
        """The redirects a request for ``path`` may meet: its own address (with and
        without its query string) and those of its parents that include what lies below
        them. One query on the unique index of ``old_path``; ``best()`` picks."""
        exact, parents = lookup_keys(path, query)
        return self.filter(Q(old_path__in=exact) | Q(old_path__in=parents, include_below=True))

    def pointing_to(self, key: str, *, below: bool):
        """Redirects whose local target is the address ``key`` (or lies below it)."""
        found = Q(target=key) | Q(target=key + "/") | Q(target__startswith=key + "?")
        if below:
            found |= Q(target__startswith=key + "/")
        return self.filter(found)


class Redirect(models.Model):
    class Status(models.IntegerChoices):
        MOVED = 301, _("301 moved permanently")
        FOUND = 302, _("302 moved for now")
        GONE = 410, _("410 gone")

    class Source(models.TextChoices):
        MANUAL = "manual", _("set by an editor")
        SLUG = "slug", _("address changed")
        DELETED = "deleted", _("content deleted")
        IMPORTED = "imported", _("imported")

    old_path = models.CharField(
        _("old address"),
        max_length=MAX_LENGTH,
        unique=True,
        help_text=_(
            "A path such as /publications/old-slug/ or an old site's /index.php?id=12, "
            "stored without /ru/ and without a trailing slash: it answers in both languages."
        ),
    )
    target = models.CharField(
        _("new address"),
        max_length=1000,
        blank=True,
        help_text=_(
            "A path on this site (/publications/new-slug/) or a full URL; empty for “gone”."
        ),
    )
    status = models.PositiveSmallIntegerField(_("answer"), choices=Status, default=Status.MOVED)
    include_below = models.BooleanField(
        _("include addresses below"),
        default=False,
        help_text=_(
            "Also redirect what lies below the old address (/publications/old/cite.bib → "
            "/publications/new/cite.bib)."
        ),
    )
    source = models.CharField(
        _("made by"), max_length=16, choices=Source, default=Source.MANUAL, editable=False
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = RedirectQuerySet.as_manager()

    class Meta:
        ordering = ["old_path"]
        verbose_name = _("redirect")
        verbose_name_plural = _("redirects")
        constraints = [
            models.CheckConstraint(
                condition=(Q(status=410) & Q(target=""))
                | (Q(status__in=[301, 302]) & ~Q(target="")),
                name="redirect_target_unless_gone",
                violation_error_message=_("A redirect needs a new address; “gone” has none."),
            ),
            models.CheckConstraint(
                condition=Q(old_path__startswith="/"), name="redirect_old_path_is_a_path"
            ),
        ]

    def __str__(self):
        if self.status == self.Status.GONE:
            return f"{self.old_path} (410)"
        return f"{self.old_path} → {self.target}"

    @property
    def is_gone(self):
        return self.status == self.Status.GONE

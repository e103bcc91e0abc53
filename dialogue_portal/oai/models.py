from django.db import models
from django.utils.translation import gettext_lazy as _


class RecordQuerySet(models.QuerySet):
    def visible(self, now):
        """What harvesters may see at ``now``: live and deleted records alike, but not a
        scheduled publication before its publish date (its datestamp is that date)."""
        return self.filter(datestamp__lte=now)

    def in_harvest_order(self):
        return self.order_by("created", "pk")


class Record(models.Model):
    """One publication as harvesters know it: its datestamp, whether it is deleted, its sets.

    ``publication_id`` is a plain number, not a foreign key: a deleted publication keeps its
    record (``deleted``) for good, as ``deletedRecord=persistent`` promises."""

    publication_id = models.PositiveBigIntegerField(_("publication id"), unique=True)
    datestamp = models.DateTimeField(_("datestamp"))
    created = models.DateTimeField(
        _("first seen"), help_text=_("When harvesters could first see the record.")
    )
    deleted = models.BooleanField(_("deleted"), default=False)
    set_specs = models.TextField(_("sets"), blank=True)
    fingerprint = models.CharField(_("fingerprint"), max_length=64)

    objects = RecordQuerySet.as_manager()

    class Meta:
        verbose_name = _("OAI record")
        verbose_name_plural = _("OAI records")
        indexes = [
            models.Index(fields=["created", "id"], name="oai_record_harvest_order"),
            models.Index(fields=["datestamp"], name="oai_record_datestamp"),
        ]

    def __str__(self):
        return f"publication/{self.publication_id}"

    @property
    def specs(self):
        return self.set_specs.split()


class SetMembership(models.Model):
    """A record in a set (leaves and their parents), kept after the record is deleted so a
    selective harvest of that set hears of the deletion, and no other set does."""

    record = models.ForeignKey(
        Record, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("record")
    )
    spec = models.CharField(_("set"), max_length=250)

    class Meta:
        verbose_name = _("set membership")
        verbose_name_plural = _("set memberships")
        constraints = [
            models.UniqueConstraint(fields=["spec", "record"], name="oai_membership_once"),
        ]

    def __str__(self):
        return self.spec

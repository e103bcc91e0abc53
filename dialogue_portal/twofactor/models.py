"""Recovery codes kept as hashes, and the line before which an account's sessions are over.

django-otp's own static device keeps its codes in plain text, so anyone who reads the
database (a backup, a replica) could sign in with them; these are hashed. A code is 12
characters from a 32-letter alphabet (60 random bits), so one SHA-256 with a per-code salt is
enough: there is no dictionary to try, and checking ten of them stays instant.
"""

import hashlib
import secrets

from django.conf import settings
from django.db import models, transaction
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext_lazy as _
from django_otp.models import Device

RECOVERY_CODES = 10
ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i: read off paper without doubt
CODE_LENGTH = 12


def new_code():
    raw = "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


def normalise(code):
    """What a person typed, as the code was hashed: lower case, without spaces or dashes."""
    return "".join(code.split()).replace("-", "").lower()


def digest(salt, code):
    return hashlib.sha256(f"{salt}:{normalise(code)}".encode()).hexdigest()


class RecoveryCodeDevice(Device):
    """The set of one-time recovery codes of a member of staff (one set per person)."""

    class Meta:
        verbose_name = _("recovery codes")
        verbose_name_plural = _("recovery codes")

    def replace_codes(self):
        """A fresh set of codes in place of any left; returns them (the only time they exist
        in clear)."""
        codes = [new_code() for _ in range(RECOVERY_CODES)]
        with transaction.atomic():
            self.codes.all().delete()
            for code in codes:
                salt = secrets.token_hex(8)
                self.codes.create(salt=salt, digest=digest(salt, code))
        return codes

    def verify_token(self, token):
        """True, once, for an unused code of this set; the code is used up."""
        if not isinstance(token, str) or len(normalise(token)) != CODE_LENGTH:
            return False
        for code in self.codes.all():
            if constant_time_compare(code.digest, digest(code.salt, token)):
                # The row goes: a second use (even concurrent: one delete wins) fails.
                return code.__class__.objects.filter(pk=code.pk).delete()[0] == 1
        return False

    @property
    def remaining(self):
        return self.codes.count()


class RecoveryCode(models.Model):
    device = models.ForeignKey(RecoveryCodeDevice, on_delete=models.CASCADE, related_name="codes")
    salt = models.CharField(max_length=32)
    digest = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("recovery code")
        verbose_name_plural = _("recovery codes")

    def __str__(self):
        return f"{self.device.user} #{self.pk}"


class SessionFence(models.Model):
    """Every session of ``user`` that began before ``ended_at`` is over."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="session_fence",
        verbose_name=_("user"),
    )
    ended_at = models.DateTimeField(_("sessions ended at"))

    class Meta:
        verbose_name = _("ended sessions")
        verbose_name_plural = _("ended sessions")

    def __str__(self):
        return str(self.user)

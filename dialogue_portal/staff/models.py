from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AdminProfile(models.Model):
    """What one member of staff prefers in the admin: for now, its language.

    The admin's language is this choice, else the browser's (Accept-Language); the public
    site's language (its URL prefix and the ``django_language`` cookie) plays no part, and
    this choice plays none on the site.
    """

    BROWSER = ""
    LANGUAGE_CHOICES = [
        (BROWSER, _("As my browser asks")),
        ("en", _("English")),
        ("ru", _("Russian")),
    ]

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="admin_profile",
        verbose_name=_("user"),
    )
    admin_language = models.CharField(
        _("admin language"),
        max_length=8,
        blank=True,
        choices=LANGUAGE_CHOICES,
        default=BROWSER,
        help_text=_("The language of the admin for this user; the public site keeps its own."),
    )

    class Meta:
        verbose_name = _("admin preferences")
        verbose_name_plural = _("admin preferences")

    def __str__(self):
        return str(self.user)

from django.apps import AppConfig
from django.contrib.auth.signals import user_logged_in
from django.utils.translation import gettext_lazy as _

from dialogue_portal.twofactor.sessions import stamp_new_session


class TwoFactorConfig(AppConfig):
    name = "dialogue_portal.twofactor"
    label = "twofactor"
    verbose_name = _("Two-factor sign-in")

    def ready(self):
        # Infrastructure, not domain logic: every signed-in session knows when it began, so
        # the idle and lifetime limits and "end every other session" can be applied to it.
        user_logged_in.connect(stamp_new_session, dispatch_uid="twofactor-session-start")

"""The admin speaks its editor's language, whatever language the public site is in.

Django's LocaleMiddleware picks the site's language from the URL prefix (English has none,
Russian is under /ru/), which leaves every unprefixed path, /admin/ among them, in English.
Under the admin this middleware, listed after AuthenticationMiddleware, activates instead
the language the staff user chose in their admin preferences, else the first language of
their browser's Accept-Language that the site offers. The site's language cookie
(``django_language``) and URL prefix are not read here, and nothing here writes them, so
each side keeps its own language. LocaleMiddleware, listed earlier, runs later on the way
out and labels the response (Content-Language, Vary: Accept-Language) with this language.
"""

from django.conf import settings
from django.utils import translation
from django.utils.translation.trans_real import parse_accept_lang_header

from dialogue_portal.staff.models import AdminProfile

# Where dialogue_portal/urls.py mounts the admin (AdminContentSecurityPolicyMiddleware too).
ADMIN_PREFIX = "/admin/"


def browser_language(request):
    """The first language of Accept-Language that the site offers, else the default."""
    for code, _quality in parse_accept_lang_header(request.META.get("HTTP_ACCEPT_LANGUAGE", "")):
        if code == "*":
            break
        try:
            return translation.get_supported_language_variant(code)
        except LookupError:
            continue
    return settings.LANGUAGE_CODE


def preferred_admin_language(user):
    """The staff user's chosen admin language, or "" for the browser's."""
    if not (user.is_authenticated and user.is_active and user.is_staff):
        return ""
    return (
        AdminProfile.objects.filter(user_id=user.pk)
        .values_list("admin_language", flat=True)
        .first()
        or ""
    )


def admin_language(request):
    return preferred_admin_language(request.user) or browser_language(request)


class AdminLanguageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info.startswith(ADMIN_PREFIX):
            translation.activate(admin_language(request))
            request.LANGUAGE_CODE = translation.get_language()
        return self.get_response(request)

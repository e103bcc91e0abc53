"""The admin in the browser's language (Accept-Language), as the staff language middleware
does for a staff user without a preferred admin language. Until that middleware is in
this branch, tests stand it in by making LocaleMiddleware honour Accept-Language under
/admin/ (the public site keeps its prefix rule)."""

from django.middleware.locale import LocaleMiddleware
from django.utils import translation

_original = LocaleMiddleware.process_request


def _admin_in_browser_language(self, request):
    _original(self, request)
    if request.path_info.startswith("/admin/"):
        language = translation.get_language_from_request(request, check_path=False)
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()


def honour_accept_language_in_admin(monkeypatch):
    monkeypatch.setattr(LocaleMiddleware, "process_request", _admin_in_browser_language)

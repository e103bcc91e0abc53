import logging
from collections.abc import Callable

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.template.loader import render_to_string

logger = logging.getLogger(__name__)

# The rest of the middleware chain and the view, as Django hands it to a middleware.
type GetResponse = Callable[[HttpRequest], HttpResponseBase]


class SecurityHeadersMiddleware:
    """Headers Django's SecurityMiddleware does not set: Permissions-Policy, and
    nosniff plus a safe disposition on uploaded files served from MEDIA_URL."""

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        return response


class DatabaseUnavailableMiddleware:
    """When the database cannot be reached, answer 503 with a friendly page at once.

    The page is rendered without touching the database (no request context, so no user,
    session or messages), and Retry-After tells clients and load balancers when to try
    again. Django drops the broken connection at the end of the request, and
    CONN_HEALTH_CHECKS makes the next request open a fresh one, so the site recovers by
    itself when the database is back.
    """

    RETRY_AFTER_SECONDS = 30

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, (OperationalError, InterfaceError)):
            return None
        logger.error("Database unavailable for %s: %s", request.path, exception)
        response = HttpResponse(render_to_string("503.html"), status=503)
        response["Retry-After"] = str(self.RETRY_AFTER_SECONDS)
        response["Cache-Control"] = "no-store"
        return response


class AdminContentSecurityPolicyMiddleware:
    """Under /admin/, the policy in settings.SECURE_CSP_ADMIN instead of SECURE_CSP.

    It does for a whole URL prefix what django.views.decorators.csp.csp_override does for
    one view (and by the same means, ``response._csp_config``, which Django's CSP middleware
    reads). Listed after that middleware, so it runs first on the way out.
    """

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if request.path.startswith("/admin/") and not hasattr(response, "_csp_config"):
            # A private attribute Django's own csp_override sets; the stubs do not declare it.
            response._csp_config = settings.SECURE_CSP_ADMIN  # type: ignore[attr-defined]
        return response

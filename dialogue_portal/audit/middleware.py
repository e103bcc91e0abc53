from dialogue_portal.audit.services import current_request


class AuditRequestMiddleware:
    """Makes the request being served known to ``services.record``, so that a row written
    deep inside a service or a signal receiver still says who acted and from which address."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = current_request.set(request)
        try:
            return self.get_response(request)
        finally:
            current_request.reset(token)

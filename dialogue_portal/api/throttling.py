from rest_framework.throttling import AnonRateThrottle

from dialogue_portal.core.clientip import client_ip


class ClientThrottle(AnonRateThrottle):
    """API_THROTTLE_RATE requests per client address, the address as the site's own rate
    limits see it (TRUSTED_PROXY_COUNT), counted in the shared cache."""

    scope = "anon"

    def get_ident(self, request):
        return client_ip(request)

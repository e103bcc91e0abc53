class ApiCorsMiddleware:
    """Any site may read the API from the browser: GET, HEAD and their preflight only,
    without credentials, so ``Access-Control-Allow-Origin: *`` is safe and no origin list is
    needed. Nothing outside /api/ gets the header. (Ten lines instead of django-cors-headers,
    whose origin lists, credentials and per-path regexes this case does not use.)"""

    METHODS = ("GET", "HEAD", "OPTIONS")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.path.startswith("/api/") and request.method in self.METHODS:
            response["Access-Control-Allow-Origin"] = "*"
            response["Access-Control-Expose-Headers"] = "ETag, Retry-After"
            if request.method == "OPTIONS":
                response["Access-Control-Allow-Methods"] = "GET, HEAD, OPTIONS"
                response["Access-Control-Allow-Headers"] = "Accept, If-None-Match"
                response["Access-Control-Max-Age"] = "86400"
        return response

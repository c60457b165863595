"""The caller's IP address, for log-in and sign-up limits (the API's and the console's)."""

from django.conf import settings


def client_ip(request) -> str:
    """Behind N trusted proxies, the Nth address from the right of X-Forwarded-For (what the
    outermost trusted proxy saw), never one the client wrote; else the socket's address."""
    hops = settings.TRUSTED_PROXY_COUNT
    forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [a for a in forwarded if a]
    if hops and len(forwarded) >= hops:
        return forwarded[-hops]
    return request.META.get("REMOTE_ADDR", "")

"""Media URLs in API output: absolute, on the origin the client called, so the mini-program
(which has no page origin of its own) and any other client can show them as they come."""

from typing import Annotated
from urllib.parse import urlsplit

from pydantic import AfterValidator, ValidationInfo


def _absolute(url: str, info: ValidationInfo) -> str:
    # Ninja validates a response with the request in the context; behind a proxy the scheme
    # and host come from it as Django sees them (FENXIAO_TRUSTED_PROXY_COUNT, FENXIAO_HTTPS)
    request = (info.context or {}).get("request")
    if request is None or not url:
        return url
    return request.build_absolute_uri(url)


MediaUrl = Annotated[str, AfterValidator(_absolute)]


def media_reference_path(reference: str) -> str:
    """The site path of a media reference that may be an absolute URL the API gave out."""
    parts = urlsplit(reference)
    return parts.path if parts.scheme in ("http", "https") else reference

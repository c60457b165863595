"""The H5 build of the uni-app client (client/dist/build/h5), served on the API's origin.

index.html is served at `/` and never cached (it names the current hashed bundles); files under
/h5/assets/ carry a content hash in their names, so browsers keep them for a year.
"""

import mimetypes
import re
from pathlib import Path

from django.conf import settings

ASSET_PREFIX = "/h5/"
# vite names bundles like index-BvFKeQC2.js, uni.f0e2d87d.css or pages-cart-cart.kkvWWW3B.js
HASHED_NAME = re.compile(
    r"[.-][A-Za-z0-9_-]{8,}\.(?:js|css|mjs|png|jpe?g|gif|svg|webp|woff2?|ttf)$"
)
IMMUTABLE = "public, max-age=31536000, immutable"
NO_CACHE = "no-cache"

# the server's own mimetypes table may lack these; browsers refuse modules served as text/plain
mimetypes.add_type("text/javascript", ".js")
mimetypes.add_type("text/javascript", ".mjs")
mimetypes.add_type("text/css", ".css")
mimetypes.add_type("image/svg+xml", ".svg")
mimetypes.add_type("font/woff2", ".woff2")


def build_dir() -> Path:
    return Path(settings.CLIENT_H5_DIR)


def index_file() -> Path | None:
    index = build_dir() / "index.html"
    return index if index.is_file() else None


def asset_file(path: str) -> Path | None:
    """The file for /h5/<path>, or None when missing or outside the build."""
    root = build_dir().resolve()
    candidate = (root / path).resolve()
    if not candidate.is_relative_to(root) or not candidate.is_file():
        return None
    return candidate


def content_type(path: Path) -> str:
    kind, _ = mimetypes.guess_type(path.name)
    kind = kind or "application/octet-stream"
    if kind.startswith("text/") or kind in {"application/json", "image/svg+xml"}:
        kind += "; charset=utf-8"
    return kind


def cache_control(path: Path) -> str:
    """Vite writes content-hashed bundles to assets/; anything else may change under its name."""
    hashed = path.parent.name == "assets" and HASHED_NAME.search(path.name)
    return IMMUTABLE if hashed else NO_CACHE


def product_route(product_id: int, ref: str = "") -> str:
    """The client's product page for a share link /products/<id>?ref=CODE (hash router)."""
    route = f"/#/pages/product/detail?id={product_id}"
    return f"{route}&ref={ref}" if ref else route


def coupon_route(coupon_id: int, ref: str = "") -> str:
    """The client's coupon page for a share link /coupons/<id>?ref=CODE."""
    route = f"/#/pages/coupon/detail?coupon={coupon_id}"
    return f"{route}&ref={ref}" if ref else route

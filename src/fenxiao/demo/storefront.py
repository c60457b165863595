"""The demo shop's look: its name, logo, theme colour, share text and home-page banners,
saved through the storefront services; the pictures are drawn like the product pictures."""

from io import BytesIO

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image, ImageDraw, ImageFont

from fenxiao.catalog.models import Product
from fenxiao.demo.images import RGB
from fenxiao.storefront.models import Banner, ShopSettings
from fenxiao.storefront.services import banner_save, shop_settings_save

SHOP_NAME = "fenxiao 演示商城"
THEME_COLOR = "#FF5A36"
SHARE_TEXT = "{name} 只要 ¥{price}，{tagline}"
BANNER_SIZE = (750, 320)

# (title, palette, Latin caption: no CJK font is installed, so no Chinese in the picture)
BANNERS: list[tuple[str, tuple[RGB, RGB], str]] = [
    ("居家健身季 · 爆款直降", ((255, 90, 54), (255, 193, 7)), "HOME FITNESS"),
    ("数码好物 · 分享赚佣金", ((63, 81, 181), (0, 188, 212)), "SHARE & EARN"),
    ("新人专享 · 全场包邮", ((233, 30, 99), (156, 39, 176)), "WELCOME"),
]


def _save_png(path: str, img: Image.Image) -> str:
    if default_storage.exists(path):  # drawn once, reused on later loads
        return path
    buf = BytesIO()
    img.save(buf, "PNG", optimize=True)
    return default_storage.save(path, ContentFile(buf.getvalue()))


def _banner_picture(n: int, colors: tuple[RGB, RGB], caption: str) -> str:
    w, h = BANNER_SIZE
    mask = Image.linear_gradient("L").rotate(90).resize((w, h))
    img = Image.composite(
        Image.new("RGB", (w, h), colors[1]), Image.new("RGB", (w, h), colors[0]), mask
    )
    draw = ImageDraw.Draw(img, "RGBA")
    for i in range(5):  # soft circles on the right, like a product shot's bokeh
        r = 40 + 22 * i
        x, y = w - 120 - 55 * i, 60 + (i * 47) % (h - 60)
        draw.ellipse((x - r, y - r, x + r, y + r), fill=(255, 255, 255, 26 + 8 * i))
    draw.rounded_rectangle((w - 260, 70, w - 80, h - 70), 28, fill=(255, 255, 255, 220))
    draw.ellipse((w - 205, 115, w - 135, 185), fill=(*colors[0], 255))
    draw.text((48, 110), caption, font=ImageFont.load_default(size=54), fill=(255, 255, 255, 245))
    draw.text(
        (50, 190), "FENXIAO DEMO", font=ImageFont.load_default(size=24), fill=(255, 255, 255, 200)
    )
    return _save_png(f"storefront/demo/banner-{n}.png", img)


def _logo() -> str:
    img = Image.new("RGBA", (240, 240), (0, 0, 0, 0))
    draw = ImageDraw.Draw(img)
    draw.rounded_rectangle((0, 0, 239, 239), 56, fill=(255, 90, 54, 255))
    draw.text((120, 122), "FX", font=ImageFont.load_default(size=120), fill="white", anchor="mm")
    return _save_png("storefront/demo/logo.png", img)


def load_storefront(*, products: list[Product]) -> list[Banner]:
    """Shop settings and three banners: one opens a product, one a category, one nothing."""
    shop_settings_save(
        shop=ShopSettings(
            name=SHOP_NAME, logo=_logo(), theme_color=THEME_COLOR, share_text=SHARE_TEXT
        )
    )
    on_shelf = [p for p in products if p.status == Product.Status.ON_SHELF]
    targets = [
        {"product": on_shelf[0]},
        {"category": on_shelf[-1].category},
        {},
    ]
    return [
        banner_save(
            banner=Banner(
                image=_banner_picture(n, colors, caption), title=title, sort=n, **targets[n - 1]
            )
        )
        for n, (title, colors, caption) in enumerate(BANNERS, start=1)
    ]

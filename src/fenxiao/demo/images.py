"""Generated product pictures: colour gradients and soft shapes (no CJK font is installed,
so the pictures carry no Chinese text), stored in media under a stable name."""

import random
from io import BytesIO

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image, ImageDraw, ImageFont

SIZE = 640
RGB = tuple[int, int, int]


def _background(top: RGB, bottom: RGB, variant: int) -> Image.Image:
    if variant == 0:
        mask = Image.linear_gradient("L")
    else:
        mask = Image.radial_gradient("L")
    mask = mask.resize((SIZE, SIZE))
    return Image.composite(
        Image.new("RGB", (SIZE, SIZE), bottom), Image.new("RGB", (SIZE, SIZE), top), mask
    )


def _picture(*, seed: str, colors: tuple[RGB, RGB], variant: int, label: str) -> bytes:
    rng = random.Random(f"{seed}:{variant}")
    top, bottom = colors if variant == 0 else colors[::-1]
    img = _background(top, bottom, variant)
    draw = ImageDraw.Draw(img, "RGBA")
    for _ in range(7):  # soft bokeh circles
        r = rng.randint(30, 140)
        x, y = rng.randint(-40, SIZE), rng.randint(-40, SIZE)
        draw.ellipse((x - r, y - r, x + r, y + r), fill=(255, 255, 255, rng.randint(18, 55)))
    # the "product": a white card with a shadow and a coloured emblem
    w, h = rng.randint(300, 380), rng.randint(300, 400)
    x0, y0 = (SIZE - w) // 2, (SIZE - h) // 2 - 20
    draw.rounded_rectangle((x0 + 14, y0 + 18, x0 + w + 14, y0 + h + 18), 36, fill=(0, 0, 0, 45))
    draw.rounded_rectangle((x0, y0, x0 + w, y0 + h), 36, fill=(255, 255, 255, 235))
    cx, cy, r = SIZE // 2, y0 + h // 2 - 10, min(w, h) // 3
    if rng.random() < 0.5:
        draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=(*top, 255))
        draw.ellipse((cx - r // 2, cy - r // 2, cx + r // 2, cy + r // 2), fill=(*bottom, 255))
    else:
        draw.rounded_rectangle((cx - r, cy - r, cx + r, cy + r), 24, fill=(*top, 255))
        draw.polygon(
            [(cx - r // 2, cy + r // 2), (cx, cy - r // 2), (cx + r // 2, cy + r // 2)],
            fill=(*bottom, 255),
        )
    font = ImageFont.load_default(size=26)
    draw.text((x0 + 28, y0 + h - 52), label, font=font, fill=(60, 60, 60, 255))
    draw.text(
        (24, SIZE - 44),
        "FENXIAO DEMO",
        font=ImageFont.load_default(size=20),
        fill=(255, 255, 255, 200),
    )
    buf = BytesIO()
    img.save(buf, "JPEG", quality=84, optimize=True)
    return buf.getvalue()


def product_pictures(*, key: str, colors: tuple[RGB, RGB], count: int = 2) -> list[str]:
    """Storage paths of `count` pictures for a product; drawn once, reused on later loads."""
    paths = []
    for variant in range(count):
        path = f"products/demo/{key}-{variant + 1}.jpg"
        if not default_storage.exists(path):
            content = _picture(seed=key, colors=colors, variant=variant, label=key.upper())
            path = default_storage.save(path, ContentFile(content))
        paths.append(path)
    return paths

"""Distributor posters: a PNG of a product with the distributor's nickname and a QR code of
their H5 share link (or, when the mini-program is configured, its mini-program code), drawn
with Pillow in a CJK font. Reads only: nothing is written to the database."""

import functools
import io
import logging
import os
from dataclasses import dataclass
from decimal import Decimal

import qrcode
from django.conf import settings
from PIL import Image, ImageDraw, ImageFont, ImageOps, UnidentifiedImageError

from fenxiao.accounts.models import User
from fenxiao.catalog import selectors as catalog_selectors
from fenxiao.catalog.models import Product
from fenxiao.distribution import links, selectors, wxacode
from fenxiao.distribution.errors import (
    DistributorFrozen,
    NotADistributor,
    PosterFontMissing,
    ReferralCodePending,
)
from fenxiao.distribution.models import Distributor

logger = logging.getLogger(__name__)

WIDTH, HEIGHT = 750, 1334
MARGIN = 40
PHOTO = 750  # the product photo: a square across the top
CODE = 230  # the QR / mini-program code, bottom right
BAND = 1040  # where the bottom band (nickname, code) starts
INK, GREY, RED, LINE, PALE = "#222222", "#888888", "#E4393C", "#EEEEEE", "#F4F4F4"
# characters every CJK font has: a font without them would draw boxes (tofu)
CJK_PROBE = "推荐长按识别二维码"
# a code point no font maps: it renders as the font's .notdef glyph
UNMAPPED = "\U0010fffd"


# fonts


@dataclass(frozen=True)
class PosterFont:
    path: str
    index: int  # the face in a .ttc collection: the Simplified Chinese one when there is one
    bold_path: str

    def regular(self, size: int) -> ImageFont.FreeTypeFont:
        return _font(self.path, self.index, size)

    def bold(self, size: int) -> ImageFont.FreeTypeFont:
        return _font(self.bold_path, self.index, size)


@functools.lru_cache(maxsize=64)
def _font(path: str, index: int, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(path, size, index=index)


@functools.lru_cache(maxsize=16)
def _simplified_face(path: str) -> int:
    """Noto CJK collections hold JP, KR, SC, TC, HK faces: pick SC for Simplified Chinese."""
    for index in range(16):
        try:
            family, _ = ImageFont.truetype(path, 12, index=index).getname()
        except OSError:
            break
        if family and family.endswith(" SC"):
            return index
    return 0


def _notdef(font: ImageFont.FreeTypeFont) -> tuple:
    mask = font.getmask(UNMAPPED)
    return mask.size, bytes(mask)


def has_glyph(font: ImageFont.FreeTypeFont, char: str, notdef: tuple | None = None) -> bool:
    """Whether the font draws `char` with a glyph of its own rather than .notdef (tofu)."""
    if char.isspace():
        return True
    mask = font.getmask(char)
    return (mask.size, bytes(mask)) != (notdef or _notdef(font))


def _draws_cjk(path: str) -> bool:
    try:
        font = ImageFont.truetype(path, 32, index=_simplified_face(path))
    except OSError:
        return False
    notdef = _notdef(font)
    return all(has_glyph(font, ch, notdef) for ch in CJK_PROBE)


def _bold_sibling(path: str) -> str:
    bold = path.replace("-Regular.", "-Bold.")
    return bold if bold != path and os.path.exists(bold) else path


def poster_font() -> PosterFont:
    """FENXIAO_POSTER_FONT if set, else the first installed candidate; it must draw Chinese."""
    configured = settings.POSTER_FONT
    candidates = [configured] if configured else settings.POSTER_FONT_CANDIDATES
    for path in candidates:
        if os.path.isfile(path) and _draws_cjk(path):
            return PosterFont(path, _simplified_face(path), _bold_sibling(path))
    if configured:
        logger.error("FENXIAO_POSTER_FONT %s is missing or has no Chinese glyphs", configured)
        raise PosterFontMissing(
            "海报字体不可用：FENXIAO_POSTER_FONT 指向的字体不存在或不含中文字形"
        )
    raise PosterFontMissing()


# what the poster shows


@dataclass(frozen=True)
class PosterContent:
    product_name: str
    tagline: str
    price: Decimal | None  # the lowest price of the active SKUs
    price_varies: bool
    nickname: str
    photo: Image.Image | None
    code: Image.Image  # the QR code or the mini-program code
    code_hint: str


def poster_png(*, user: User, product_id: int) -> bytes:
    """The poster of an on-shelf product for an active distributor (the caller)."""
    profile = selectors.distributor_profile(user_id=user.pk)
    if profile.status == Distributor.Status.FROZEN:
        raise DistributorFrozen()
    if profile.status != Distributor.Status.ACTIVE:
        raise NotADistributor()
    if not profile.referral_code:
        raise ReferralCodePending()
    product = catalog_selectors.product_detail(product_id=product_id)
    font = poster_font()  # before WeChat is asked for a code the poster could not carry
    client = wxacode.codes_client()
    if client is None:
        url = links.product_share_url(code=profile.referral_code, product_id=product.pk)
        code, hint = qr_image(url, size=CODE), "长按识别二维码 查看商品"
    else:
        data = wxacode.code_image(
            client=client,
            scene=links.mini_program_scene(code=profile.referral_code, product_id=product.pk),
            page=settings.WECHAT_CODE_PAGE,
        )
        code = Image.open(io.BytesIO(data)).convert("RGB").resize((CODE, CODE), Image.LANCZOS)
        hint = "长按识别小程序码 查看商品"
    prices = [sku.price for sku in product.skus.all()]  # prefetched: the active SKUs
    content = PosterContent(
        product_name=product.name,
        tagline=product.tagline,
        price=min(prices) if prices else None,
        price_varies=len(set(prices)) > 1,
        nickname=user.nickname or selectors.mask_phone(user.phone) or "好友",
        photo=_first_photo(product),
        code=code,
        code_hint=hint,
    )
    return render(content, font)


def _first_photo(product: Product) -> Image.Image | None:
    images = list(product.images.all())  # prefetched, in display order
    if not images:
        return None
    try:
        with images[0].image.open("rb") as stored:
            photo = Image.open(io.BytesIO(stored.read()))
            photo.draft("RGB", (PHOTO, PHOTO))  # a large JPEG is decoded at a reduced scale
            photo.load()
    except (OSError, UnidentifiedImageError, ValueError, Image.DecompressionBombError):
        logger.warning("product %s: image %s unreadable", product.pk, images[0].image.name)
        return None
    return ImageOps.exif_transpose(photo).convert("RGB")


def qr_image(data: str, *, size: int) -> Image.Image:
    """A crisp QR code no larger than size × size: whole pixels per module, a quiet zone of 2
    (the poster around it is white)."""
    probe = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=2)
    probe.add_data(data)
    probe.make(fit=True)
    modules = probe.modules_count + 2 * probe.border
    box = max(size // modules, 1)
    qr = qrcode.QRCode(
        version=probe.version, error_correction=qrcode.constants.ERROR_CORRECT_M, border=2
    )
    qr.box_size = box
    qr.add_data(data)
    qr.make(fit=False)
    return qr.make_image(fill_color="black", back_color="white").get_image().convert("RGB")


# drawing


def printable(font: ImageFont.FreeTypeFont, text: str) -> str:
    """`text` without the characters the font lacks (emoji, rare symbols): no tofu."""
    notdef = _notdef(font)
    return "".join(ch for ch in text if ch.isprintable() and has_glyph(font, ch, notdef))


def wrap(font: ImageFont.FreeTypeFont, text: str, *, width: int, max_lines: int) -> list[str]:
    """Lines of at most `width` pixels, broken anywhere (Chinese has no spaces); the last
    kept line ends with … when text is left over."""
    lines, current = [], ""
    for ch in text:
        if font.getlength(current + ch) <= width:
            current += ch
            continue
        lines.append(current)
        current = ch.lstrip()
        if len(lines) == max_lines:
            break
    else:
        if current:
            lines.append(current)
        return lines
    last = lines[-1]
    while last and font.getlength(last + "…") > width:
        last = last[:-1]
    lines[-1] = last + "…"
    return lines


def _cover(photo: Image.Image, size: int) -> Image.Image:
    return ImageOps.fit(photo, (size, size), Image.LANCZOS)


def render(content: PosterContent, font: PosterFont) -> bytes:
    canvas = Image.new("RGB", (WIDTH, HEIGHT), "white")
    draw = ImageDraw.Draw(canvas)
    text_width = WIDTH - 2 * MARGIN

    if content.photo is not None:
        canvas.paste(_cover(content.photo, PHOTO), (0, 0))
    else:
        draw.rectangle((0, 0, WIDTH, PHOTO), fill=PALE)
        hint = font.regular(32)
        draw.text(
            (WIDTH / 2, PHOTO / 2), printable(hint, "暂无图片"), font=hint, fill=GREY, anchor="mm"
        )

    y = PHOTO + 30
    name_font = font.bold(38)
    for line in wrap(
        name_font, printable(name_font, content.product_name), width=text_width, max_lines=2
    ):
        draw.text((MARGIN, y), line, font=name_font, fill=INK)
        y += 54
    tagline_font = font.regular(28)
    tagline = printable(tagline_font, content.tagline)
    if tagline:
        y += 4
        for line in wrap(tagline_font, tagline, width=text_width, max_lines=1):
            draw.text((MARGIN, y), line, font=tagline_font, fill=GREY)
            y += 40
    if content.price is not None:
        y += 10
        sign, amount, tail = font.bold(34), font.bold(56), font.regular(28)
        baseline = y + 60
        x = MARGIN
        draw.text((x, baseline), "¥", font=sign, fill=RED, anchor="ls")
        x += sign.getlength("¥") + 4
        value = format(content.price, "f")
        draw.text((x, baseline), value, font=amount, fill=RED, anchor="ls")
        x += amount.getlength(value) + 6
        if content.price_varies:
            draw.text((x, baseline), "起", font=tail, fill=RED, anchor="ls")

    draw.line((MARGIN, BAND, WIDTH - MARGIN, BAND), fill=LINE, width=2)
    code_x, code_y = WIDTH - MARGIN - CODE, BAND + 32
    code = content.code
    if code.size != (CODE, CODE):
        # a QR code made of whole-pixel modules: centre it on white rather than blur it
        framed = Image.new("RGB", (CODE, CODE), "white")
        framed.paste(code, ((CODE - code.width) // 2, (CODE - code.height) // 2))
        code = framed
    canvas.paste(code, (code_x, code_y))

    # the recommender: a round badge with the nickname's first character, then the nickname
    left_width = code_x - MARGIN - 24
    who_font = font.bold(32)
    nickname = printable(who_font, content.nickname) or "好友"
    badge = 72
    badge_y = BAND + 60
    draw.ellipse((MARGIN, badge_y, MARGIN + badge, badge_y + badge), fill=RED)
    draw.text(
        (MARGIN + badge / 2, badge_y + badge / 2),
        nickname[0],
        font=font.bold(34),
        fill="white",
        anchor="mm",
    )
    name_x = MARGIN + badge + 18
    who = wrap(
        who_font, nickname, width=left_width - badge - 18 - who_font.getlength(" 推荐"), max_lines=1
    )
    draw.text((name_x, badge_y + 4), f"{who[0]} 推荐", font=who_font, fill=INK)
    draw.text((name_x, badge_y + 46), "为你精选好物", font=font.regular(24), fill=GREY)
    hint_font = font.regular(26)
    draw.text((MARGIN, code_y + CODE - 60), content.code_hint, font=hint_font, fill=GREY)

    out = io.BytesIO()
    canvas.save(out, format="PNG")
    return out.getvalue()

"""Catalog writes: categories, products with their SKUs and images, shelf status."""

import uuid
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import SuspiciousFileOperation
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import connection, transaction
from django.db.models import ProtectedError
from PIL import Image, UnidentifiedImageError

from fenxiao.accounts.models import User
from fenxiao.catalog import locks, page_cache
from fenxiao.catalog.errors import (
    CategoryNotFound,
    CategoryTooDeep,
    FreightTemplateNotFound,
    InvalidImage,
    ProductInvalid,
    ProductNotFound,
    StockConflict,
    StockInvalid,
)
from fenxiao.catalog.models import Category, FreightTemplate, Product, ProductImage, Sku
from fenxiao.catalog.richtext import description_clean
from fenxiao.catalog.services.stock import stock_adjust, stock_record_initial, stock_set
from fenxiao.media import media_reference_path
from fenxiao.money import yuan

IMAGE_FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp", "GIF": "gif"}
IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".webp", ".gif")
IMAGE_MAX_BYTES = 5 * 1024 * 1024
IMAGE_TOO_LARGE = "图片不能超过 5 MB，请压缩后再上传"
# Product fields the database keeps NOT NULL: a client sending null for one is refused.
REQUIRED_FIELDS = ("name", "description", "tagline", "selling_points", "status", "sort")


def search_text_for(product: Product) -> str:
    """What substring search looks in, lower-cased: name, tagline, selling points, categories."""
    parts = [product.name, product.tagline, *[str(p) for p in product.selling_points or []]]
    category = product.category
    while category is not None:
        parts.append(category.name)
        category = category.parent
    return "\n".join(p for p in parts if p).lower()


@transaction.atomic
def category_save(*, category: Category) -> Category:
    if category.parent_id:
        parent = Category.objects.filter(pk=category.parent_id).first()
        if parent is None:
            raise CategoryNotFound()
        if parent.parent_id or parent.pk == category.pk:
            raise CategoryTooDeep()
        if category.pk and category.children.exists():
            raise CategoryTooDeep("有子分类的分类不能再放到其他分类下")
    category.save()
    products = Product.objects.select_related("category__parent").filter(
        category__in=[category, *category.children.all()] if category.pk else []
    )
    for product in products:
        Product.objects.filter(pk=product.pk).update(search_text=search_text_for(product))
    return category


@transaction.atomic
def categories_delete(*, category_ids: list[int]) -> int:
    """Delete categories; their products stay, uncategorised, and stop matching the names."""
    product_ids = list(
        Product.objects.filter(category_id__in=category_ids).values_list("pk", flat=True)
    )
    deleted, _ = Category.objects.filter(pk__in=category_ids).delete()
    for product in Product.objects.select_related("category__parent").filter(pk__in=product_ids):
        Product.objects.filter(pk=product.pk).update(search_text=search_text_for(product))
    return deleted


def image_store(*, content: bytes, filename: str = "", folder: str = "products/upload") -> str:
    """Check an upload is a real image and keep it in media under `folder`; returns its storage
    path. Only paths under products/ can become product images (the storefront keeps its own)."""
    try:
        with Image.open(ContentFile(content)) as img:
            img.verify()
            fmt = img.format
    except (UnidentifiedImageError, OSError, SyntaxError) as exc:
        raise InvalidImage("不是有效的图片文件") from exc
    except Image.DecompressionBombError as exc:
        raise InvalidImage("图片尺寸过大") from exc
    if fmt not in IMAGE_FORMATS:
        raise InvalidImage("只支持 JPEG、PNG、WEBP、GIF 图片")
    name = f"{folder}/{uuid.uuid4().hex}.{IMAGE_FORMATS[fmt]}"
    return default_storage.save(name, ContentFile(content))


def image_upload_store(*, upload: UploadedFile, folder: str = "products/upload") -> str:
    """`image_store` for a file posted to the console, refused before reading when too large."""
    if upload.size is not None and upload.size > IMAGE_MAX_BYTES:
        raise InvalidImage(IMAGE_TOO_LARGE)
    upload.seek(0)
    return image_store(content=upload.read(), filename=upload.name or "", folder=folder)


def image_path_check(reference: str) -> str:
    """The storage path of an uploaded product image, given its path or its media URL (as
    the API gives it out, absolute or not)."""
    path = media_reference_path(reference).removeprefix(settings.MEDIA_URL)
    try:
        known = (
            path.startswith("products/")
            and path.lower().endswith(IMAGE_SUFFIXES)
            and ".." not in path
            and default_storage.exists(path)
        )
    except SuspiciousFileOperation:
        known = False
    if not known:
        raise InvalidImage(f"图片不存在: {reference}，请先上传")
    return path


def _set_images(product: Product, images: list[str]) -> None:
    paths = [image_path_check(reference) for reference in images]
    product.images.all().delete()
    ProductImage.objects.bulk_create(
        ProductImage(product=product, image=path, sort=i) for i, path in enumerate(paths)
    )


@transaction.atomic
def sku_create(
    *,
    product: Product,
    price: Decimal,
    stock: int = 0,
    code: str = "",
    specs: dict | None = None,
    cost: Decimal = Decimal("0"),
    is_active: bool = True,
    staff: User | None = None,
) -> Sku:
    """A new SKU with its initial stock, recorded as its first stock move."""
    sku = Sku.objects.create(
        product=product,
        code=code or "",
        specs=specs or {},
        price=yuan(price),
        cost=yuan(cost or 0),
        stock=int(stock),
        is_active=is_active,
    )
    stock_record_initial(sku=sku, staff=staff)
    return sku


@transaction.atomic
def sku_update(
    *,
    sku_id: int,
    price: Decimal,
    code: str = "",
    specs: dict | None = None,
    cost: Decimal = Decimal("0"),
    is_active: bool = True,
) -> None:
    """Everything of a SKU but its stock, which moves only through the stock services: the
    stock columns are never written from what a client read earlier."""
    Sku.objects.filter(pk=sku_id).update(
        code=code or "",
        specs=specs or {},
        price=yuan(price),
        cost=yuan(cost or 0),
        is_active=is_active,
    )
    page_cache.bump()


def _update_sku(sku: Sku, data: dict, staff: User | None) -> None:
    """Price, code, specs, cost of a locked SKU; its stock only as the client asked:
    omitted → untouched; `stock_delta` + `stock_reason` → an adjustment; `stock` +
    `stock_version` → an absolute set if nothing changed since; `stock` alone → only an echo
    of the current stock is accepted (a stale number would undo sales)."""
    stock, version = data.get("stock"), data.get("stock_version")
    delta, reason = data.get("stock_delta"), data.get("stock_reason")
    if delta is not None and stock is not None:
        raise StockInvalid("stock 与 stock_delta 只能填写一个")
    if version is not None and stock is None:
        raise StockInvalid("stock_version 需要与 stock 一起填写")
    sku_update(
        sku_id=sku.pk,
        code=data.get("code") or "",
        specs=data.get("specs"),
        price=data["price"],
        cost=data.get("cost") or 0,
    )
    if delta is not None:
        stock_adjust(sku_id=sku.pk, delta=delta, reason=reason, staff=staff)
    elif stock is not None and version is not None:
        stock_set(sku=sku, stock=stock, stock_version=version, reason=reason or "", staff=staff)
    elif stock is not None and stock != sku.stock:
        raise StockConflict(
            f"SKU {sku.pk} 的库存已变为 {sku.stock}（提交的是 {stock}），未做任何修改。"
            "请刷新后重试；修改库存请用 stock_delta 增减，或带上 stock_version"
        )


def _set_skus(product: Product, skus: list[dict], staff: User | None) -> None:
    """Replace the SKU list: rows matched by id are updated, the rest made unsellable."""
    ids = [data["id"] for data in skus if data.get("id")]
    if len(ids) != len(set(ids)):
        raise ProductInvalid("同一个 SKU 不能出现两次")
    current = locks.skus_for_update(product_id=product.pk) if ids else {}
    keep = []
    for data in skus:
        sku_id = data.get("id")
        if sku_id:
            if sku_id not in current:
                raise ProductInvalid(f"SKU {sku_id} 不属于该商品")
            _update_sku(current[sku_id], data, staff)
            keep.append(sku_id)
            continue
        if data.get("stock") is None:
            raise ProductInvalid("新 SKU 需要填写库存 stock")
        if data.get("stock_delta") is not None or data.get("stock_version") is not None:
            raise StockInvalid("新 SKU 只能填写初始库存 stock")
        sku = sku_create(
            product=product,
            code=data.get("code") or "",
            specs=data.get("specs") or {},
            price=data["price"],
            cost=data.get("cost") or 0,
            stock=data["stock"],
            staff=staff,
        )
        keep.append(sku.pk)
    product.skus.exclude(pk__in=keep).update(is_active=False)
    page_cache.bump()


def _apply(product: Product, fields: dict, staff: User | None) -> Product:
    missing = [name for name in REQUIRED_FIELDS if name in fields and fields[name] is None]
    if missing:
        raise ProductInvalid(f"{'、'.join(missing)} 不能为空")
    category_id = fields.pop("category_id", product.category_id)
    if category_id is not None and not Category.objects.filter(pk=category_id).exists():
        raise CategoryNotFound()
    product.category_id = category_id
    template_id = fields.pop("freight_template_id", product.freight_template_id)
    if template_id is not None and not FreightTemplate.objects.filter(pk=template_id).exists():
        raise FreightTemplateNotFound()
    product.freight_template_id = template_id
    if fields.get("description"):
        fields["description"] = description_clean(fields["description"])
    images = fields.pop("images", None)
    skus = fields.pop("skus", None)
    for name, value in fields.items():
        setattr(product, name, value)
    product.save()
    if skus is not None:
        _set_skus(product, skus, staff)
    if images is not None:
        _set_images(product, images)
    if product.status == Product.Status.ON_SHELF and not product.skus.filter(is_active=True):
        raise ProductInvalid("上架商品至少需要一个 SKU")
    product.refresh_from_db()
    product.search_text = search_text_for(product)
    Product.objects.filter(pk=product.pk).update(search_text=product.search_text)
    return product


@transaction.atomic
def product_create(*, staff: User | None = None, **fields) -> Product:
    if not fields.get("skus"):
        raise ProductInvalid("商品至少需要一个 SKU")
    return _apply(Product(), fields, staff)


@transaction.atomic
def product_update(*, product_id: int, staff: User | None = None, **fields) -> Product:
    product = locks.product_for_update(product_id)
    if product is None:
        raise ProductNotFound()
    if "skus" in fields and not fields["skus"]:
        raise ProductInvalid("商品至少需要一个 SKU")
    return _apply(product, fields, staff)


@transaction.atomic
def product_delete(*, product_id: int) -> bool:
    """Delete a product; one that was ever ordered stays (orders point at it) and goes off
    the shelf instead. Returns whether it was really deleted."""
    product = Product.objects.filter(pk=product_id).first()
    if product is None:
        raise ProductNotFound()
    try:
        with transaction.atomic():
            product.delete()
        return True
    except ProtectedError:
        product.status = Product.Status.OFF_SHELF
        product.save(update_fields=["status", "updated_at"])
        return False


@transaction.atomic
def products_set_status(*, product_ids: list[int], status: str) -> int:
    if status == Product.Status.ON_SHELF:
        missing = Product.objects.filter(pk__in=product_ids).exclude(skus__is_active=True)
        if missing.exists():
            raise ProductInvalid(
                "没有可售 SKU 的商品不能上架: " + "、".join(p.name for p in missing[:5])
            )
    page_cache.bump()  # a bulk update sends no post_save
    return Product.objects.filter(pk__in=product_ids).update(status=status)


@transaction.atomic(savepoint=False)  # all or nothing; no caller goes on after a failure
def products_count_sales(*, quantities: dict[int, int]) -> None:
    """Add units sold (negative: refunded) to products' sales counts, in id order."""
    with connection.cursor() as cursor:  # on every paid order: no query compiled
        for product_id in sorted(quantities):
            if quantities[product_id]:
                cursor.execute(
                    "UPDATE catalog_product SET sales = sales + %s WHERE id = %s",
                    [quantities[product_id], product_id],
                )

"""Every write of the catalog; `products` for the catalogue, `stock` for stock and its history,
`freight` for freight templates."""

from fenxiao.catalog.services.freight import freight_template_delete, freight_template_save
from fenxiao.catalog.services.products import (
    categories_delete,
    category_save,
    image_path_check,
    image_store,
    image_upload_store,
    product_create,
    product_delete,
    product_update,
    products_count_sales,
    products_set_status,
    search_text_for,
    sku_create,
    sku_update,
)
from fenxiao.catalog.services.stock import (
    stock_adjust,
    stock_release,
    stock_reserve,
    stock_set,
    stocks_record_initial,
)

__all__ = [
    "categories_delete",
    "freight_template_delete",
    "freight_template_save",
    "category_save",
    "image_path_check",
    "image_store",
    "image_upload_store",
    "product_create",
    "product_delete",
    "product_update",
    "products_count_sales",
    "products_set_status",
    "search_text_for",
    "sku_create",
    "sku_update",
    "stock_adjust",
    "stock_release",
    "stock_reserve",
    "stock_set",
    "stocks_record_initial",
]

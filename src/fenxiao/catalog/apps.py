from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "fenxiao.catalog"
    verbose_name = "商品"

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from fenxiao.catalog import page_cache
        from fenxiao.catalog.models import Category, Product, ProductImage, Sku

        for model in (Product, Sku, ProductImage, Category):
            post_save.connect(page_cache.bump, sender=model, dispatch_uid=f"page_cache_{model}")
            post_delete.connect(page_cache.bump, sender=model, dispatch_uid=f"page_del_{model}")

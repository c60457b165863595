from decimal import Decimal

import factory

from fenxiao.catalog.models import Category, Product, Sku
from fenxiao.catalog.services import search_text_for, sku_create


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category

    name = factory.Sequence(lambda n: f"分类{n}")


class ProductFactory(factory.django.DjangoModelFactory):
    """An on-shelf product; its search text is kept as the services keep it."""

    class Meta:
        model = Product
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"商品{n}")
    tagline = "好物推荐"
    selling_points = factory.LazyFunction(lambda: ["品质保证"])
    status = Product.Status.ON_SHELF

    @factory.post_generation
    def index(obj, create, extracted, **kwargs):
        if create:
            Product.objects.filter(pk=obj.pk).update(search_text=search_text_for(obj))


class SkuFactory(factory.django.DjangoModelFactory):
    """A SKU made by the service, so its stock comes with its initial stock move."""

    class Meta:
        model = Sku

    product = factory.SubFactory(ProductFactory)
    price = Decimal("299.90")
    cost = Decimal("100.00")
    stock = 10
    specs = factory.LazyFunction(lambda: {"颜色": "黑色"})

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return sku_create(**kwargs)

"""Give every existing SKU an "initial" stock move equal to its stock, so the moves of each
SKU add up to its stock from now on (`stock_differences`)."""

from django.db import migrations


def record_initial_stock(apps, schema_editor):
    Sku = apps.get_model("catalog", "Sku")
    StockMove = apps.get_model("catalog", "StockMove")
    has_moves = StockMove.objects.values("sku_id")
    rows = Sku.objects.exclude(stock=0).exclude(pk__in=has_moves).values_list("pk", "stock")
    batch = []
    for sku_id, stock in rows.iterator(chunk_size=2000):
        batch.append(
            StockMove(
                sku_id=sku_id,
                delta=stock,
                stock_after=stock,
                kind="initial",
                reason="启用库存记录时的库存",
            )
        )
        if len(batch) >= 2000:
            StockMove.objects.bulk_create(batch)
            batch = []
    StockMove.objects.bulk_create(batch)


class Migration(migrations.Migration):
    dependencies = [("catalog", "0005_stock_moves")]

    operations = [migrations.RunPython(record_initial_stock, migrations.RunPython.noop)]

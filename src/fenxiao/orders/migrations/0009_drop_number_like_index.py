from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("orders", "0008_redundant_indexes")]

    # PostgreSQL: the pattern-ops index Django adds beside a unique text column serves only
    # LIKE 'prefix%', which nothing asks of an order number (the console's search is a
    # substring); every order wrote it twice, placed and then paid
    operations = [
        migrations.RunSQL(
            'DROP INDEX IF EXISTS "orders_order_number_abc9e0f2_like"', migrations.RunSQL.noop
        ),
    ]

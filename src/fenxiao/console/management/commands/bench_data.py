"""`fenxiao manage bench_data --products N --orders N`: data at promotion scale for bench/."""

import json

from django.core.management.base import BaseCommand, CommandError

from fenxiao.demo import bench_data


class Command(BaseCommand):
    help = "Load products, distributor chains, buyers and completed orders for the benchmarks."

    def add_arguments(self, parser):
        parser.add_argument("--products", type=int, default=0, help="products to add")
        parser.add_argument("--orders", type=int, default=0, help="completed orders to add")
        parser.add_argument("--chains", type=int, default=333, help="three-level chains")
        parser.add_argument("--buyers", type=int, default=1000, help="buyers under the chains")
        parser.add_argument("--stock", type=int, default=None, help="every new SKU's stock")

    def handle(self, *args, **opts):
        try:
            made = bench_data.load(
                products_count=opts["products"],
                orders_count=opts["orders"],
                chains=opts["chains"],
                buyers=opts["buyers"],
                stock=opts["stock"],
            )
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(json.dumps(made, ensure_ascii=False))

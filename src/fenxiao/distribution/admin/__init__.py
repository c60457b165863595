"""Console pages: plan (validated, audited), grades, distributors with their tree and ledger,
commission lines, bindings, and per-product rates (their own page and the product page)."""

from fenxiao.distribution.admin import commissions, distributors, grades, plan, products

__all__ = ["commissions", "distributors", "grades", "plan", "products"]

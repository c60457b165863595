"""Console pages: plan (validated, audited), grades, distributors with their tree and ledger,
commission lines, bindings."""

from fenxiao.distribution.admin import commissions, distributors, grades, plan

__all__ = ["commissions", "distributors", "grades", "plan"]

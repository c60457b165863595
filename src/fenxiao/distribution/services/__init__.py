"""Every write of distribution, by topic: plan, distributors, binding, commissions, grades."""

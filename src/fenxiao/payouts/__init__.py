"""Payouts: withdrawals, tax withholding, payout channels."""

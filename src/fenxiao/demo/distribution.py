"""The demo's distribution network (分销): distributors, bindings, a plan.

Called after the people exist and before any order is placed, so that when the demo's orders
are paid the payment hook finds the buyers' inviter chains and creates commissions the normal
way. Nothing to do until the distribution app exists.
"""

from fenxiao.accounts.models import User


def load_distribution(*, staff: dict[str, User], buyers: list[User]) -> None:
    """Set the plan, make some buyers distributors and bind others to them (to be filled in
    with the distribution services: e.g. the first five buyers as distributors, two levels)."""
    return None

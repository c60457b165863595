"""Payments and refunds through providers, and the notifications that settle them.

This app is where money events meet: a confirmed payment marks the order paid and a confirmed
refund completes the after-sales request (and, with distribution, adjusts commissions).
"""

import logging
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from pydantic import ValidationError

from fenxiao import db
from fenxiao.accounts.models import User
from fenxiao.distribution.services import commissions
from fenxiao.errors import DomainError, NotFound
from fenxiao.money import to_integer_fen
from fenxiao.orders import locks as order_locks
from fenxiao.orders import services as orders
from fenxiao.orders.errors import OrderNotFound, RefundNotFound
from fenxiao.orders.models import Order, Refund
from fenxiao.payments import locks, providers, selectors
from fenxiao.payments.errors import (
    NotificationMalformed,
    NotificationMismatch,
    OrderNotPayable,
    PaymentNotFound,
    ProviderError,
    ProviderUnavailable,
)
from fenxiao.payments.models import Payment, PaymentNotification, ProviderRefund
from fenxiao.payments.notify import Notification
from fenxiao.payments.schemas import NotificationResource, RefundResource, TransactionResource

logger = logging.getLogger(__name__)


@transaction.atomic
def _payment_for(*, order_id: int, buyer: User, provider, now: datetime) -> Payment:
    order, payment = locks.order_for_update_with_payment(order_id=order_id, provider=provider.name)
    if order is None or order.buyer_id != buyer.pk:
        raise OrderNotFound()
    if order.status != Order.Status.PENDING_PAYMENT or order.pay_deadline <= now:
        raise OrderNotPayable()
    if order.total <= 0:
        raise OrderNotPayable("零元订单无需支付")
    if provider.name == "wechat" and not buyer.openid:
        raise OrderNotPayable("请在微信小程序中登录后支付")
    # the order's row lock makes this get-or-create race-free (no savepoint needed)
    if payment is None:
        (payment,) = db.insert(
            [
                Payment(
                    provider=provider.name,
                    out_trade_no=order.number,
                    order=order,
                    amount=order.total,
                )
            ]
        )
    return payment


def payment_start(
    *, order_id: int, buyer: User, provider_name: str | None = None, now: datetime | None = None
) -> tuple[Payment, dict]:
    """Create (or reuse) the payment of an unpaid order, then ask the provider for the
    client's pay parameters outside any row lock."""
    provider = providers.get(provider_name or providers.default_name())
    payment = _payment_for(
        order_id=order_id, buyer=buyer, provider=provider, now=now or timezone.now()
    )
    prepay_id, params = provider.create_payment(
        out_trade_no=payment.out_trade_no,
        amount_cents=to_integer_fen(payment.amount),
        description=f"订单 {payment.out_trade_no}",
        payer_openid=buyer.openid or "",
    )
    if payment.prepay_id != prepay_id:
        payment.prepay_id = prepay_id
        db.update(payment, ["prepay_id"])
    return payment, params


def sandbox_payment_complete(*, payment_id: int, buyer: User) -> tuple[Payment, dict, str]:
    """Play the buyer paying in WeChat: the sandbox signs the payment's notification and it is
    handled like one that came over HTTP. Returns the payment afterwards and what was sent."""
    if "sandbox" not in settings.PAYMENT_PROVIDERS:
        raise NotFound("沙箱支付未启用")
    payment = selectors.payment_of_buyer(payment_id=payment_id, buyer=buyer)
    if payment is None:
        raise PaymentNotFound()
    if payment.provider != "sandbox":
        raise NotFound("不是沙箱支付单")
    if payment.status != Payment.Status.CREATED:
        raise OrderNotPayable("该支付单已支付或已关闭")
    headers, body = providers.get("sandbox").payment_notification(
        out_trade_no=payment.out_trade_no,
        amount_cents=to_integer_fen(payment.amount),
        payer_openid=buyer.openid or "",
    )
    handled = notification_handle(provider_name="sandbox", headers=headers, body=body)
    if handled.payment is not None:  # paid by this one: as written, no read
        return handled.payment, headers, body
    return selectors.payment_of_buyer(payment_id=payment_id, buyer=buyer), headers, body


@dataclass(frozen=True)
class HandledNotification:
    notification: Notification
    redelivered: bool  # already handled before: nothing was done this time
    payment: Payment | None = None  # the payment it marked paid, with its paid order


def notification_handle(
    *, provider_name: str, headers, body: str, now: datetime | None = None
) -> HandledNotification:
    """Verify, then apply a notification once. Forged or stale ones raise (401), genuine ones
    that do not fit the format or our records too (400). A genuine one already handled is a
    redelivery (WeChat retries whatever it did not see answered 2xx): it has no effect."""
    now = now or timezone.now()
    provider = providers.get(provider_name)
    notification = provider.verify(headers=headers, body=body, now=now)
    resource = _resource_of(notification)
    applied, paid = _apply(provider=provider, notification=notification, resource=resource, now=now)
    return HandledNotification(notification=notification, redelivered=not applied, payment=paid)


def _resource_of(notification: Notification) -> NotificationResource:
    """The decrypted resource in the shape its event type has, or NotificationMalformed."""
    if notification.event_type == "TRANSACTION.SUCCESS":
        schema = TransactionResource
    elif notification.event_type.startswith("REFUND."):
        schema = RefundResource
    else:
        schema = NotificationResource
    try:
        return schema.model_validate(notification.resource)
    except ValidationError as exc:
        fields = ", ".join(
            ".".join(str(part) for part in error["loc"]) or "resource" for error in exc.errors()
        )
        raise NotificationMalformed(f"通知内容格式错误: {fields}") from exc


@transaction.atomic
def _apply(
    *, provider, notification: Notification, resource: NotificationResource, now: datetime
) -> tuple[bool, Payment | None]:
    """Apply a notification: (False, None) when its id was handled before (then nothing
    changes), else (True, the payment it marked paid with its order, or None)."""
    if resource.mchid != provider.mchid:
        raise NotificationMismatch("商户号不符")
    if not db.insert_new(
        PaymentNotification,
        provider=provider.name,
        notification_id=notification.id,
        event_type=notification.event_type,
        out_trade_no=resource.out_trade_no,
        received_at=timezone.now(),  # when it came, whatever clock the caller runs on
    ):
        return False, None
    db.set_local(plan_cache_mode=db.KEY_LOOKUPS_PLANNED_ONCE)
    if isinstance(resource, TransactionResource):
        return True, _payment_succeeded(provider=provider, resource=resource, now=now)
    if isinstance(resource, RefundResource):
        _refund_result(provider=provider, event=notification.event_type, resource=resource, now=now)
    return True, None


def _payment_succeeded(*, provider, resource: TransactionResource, now: datetime) -> Payment | None:
    payment = locks.payment_and_order_for_update(
        provider=provider.name, out_trade_no=resource.out_trade_no
    )
    if payment is None:
        raise NotificationMismatch("订单号不存在")
    if resource.trade_state != "SUCCESS":
        raise NotificationMismatch("交易状态不是成功")
    if resource.amount.total != to_integer_fen(payment.amount):
        raise NotificationMismatch("支付金额与订单金额不符")
    if payment.status == Payment.Status.PAID:
        return None  # the same payment confirmed again: nothing changes
    order = payment.order
    payment.status = Payment.Status.PAID
    payment.transaction_id = resource.transaction_id
    payment.payer_openid = resource.payer.openid if resource.payer else ""
    payment.paid_at = _paid_at(resource.success_time, now)
    db.update(payment, ["status", "transaction_id", "payer_openid", "paid_at"])
    if orders.order_mark_paid(order=order, now=now):
        commissions.commissions_create_for_order(order=order, now=now)
        return payment
    # paid after the order was cancelled (stock already released): give the money back once
    # the payment is committed. A provider failure then leaves the refund to refunds_retry.
    logger.warning("payment %s arrived for %s order %s", payment.pk, order.status, order.number)
    refund = orders.refund_for_unpayable_order(order_id=order.pk, now=now)
    transaction.on_commit(lambda: refund_send(refund_id=refund.pk), robust=True)
    return None


def _paid_at(success_time: str, now: datetime) -> datetime:
    """When the provider says the buyer paid, as its bills list the payment (a notification
    may come late, and a query minutes later); our clock when it says nothing usable."""
    try:
        moment = datetime.fromisoformat(success_time)
    except ValueError:
        return now
    return moment if moment.tzinfo is not None and moment <= now else now


def _refund_result(*, provider, event: str, resource: RefundResource, now: datetime) -> None:
    provider_refund = locks.provider_refund_for_update(out_refund_no=resource.out_refund_no)
    if provider_refund is None:
        raise NotificationMismatch("退款单号不存在")
    if resource.amount.refund != to_integer_fen(provider_refund.amount):
        raise NotificationMismatch("退款金额与记录不符")
    if provider_refund.status != ProviderRefund.Status.PROCESSING:
        return
    if event == "REFUND.SUCCESS" and resource.refund_status == "SUCCESS":
        # the order before its refund, as staff review locks them: the other way deadlocks
        order_locks.order_for_update(provider_refund.payment.order_id)
        refund = order_locks.refund_for_update(provider_refund.refund_id)
        provider_refund.status = ProviderRefund.Status.SUCCESS
        provider_refund.provider_refund_id = resource.refund_id
        provider_refund.succeeded_at = now
        provider_refund.save(update_fields=["status", "provider_refund_id", "succeeded_at"])
        if orders.refund_complete(refund=refund, now=now):
            commissions.commissions_adjust_for_refund(refund=refund, now=now)
    else:
        provider_refund.status = ProviderRefund.Status.FAILED
        provider_refund.save(update_fields=["status"])


def refund_approve(*, refund_id: int, staff: User | None, return_stock: bool = True) -> Refund:
    """Staff approval: the refund is marked approved, then the money goes back through the
    provider (outside any row lock). The sandbox confirms before this returns."""
    orders.refund_mark_approved(refund_id=refund_id, staff=staff, return_stock=return_stock)
    return refund_send(refund_id=refund_id)


def refund_send(*, refund_id: int) -> Refund:
    provider_refund = _provider_refund_for(refund_id=refund_id)
    payment = provider_refund.payment
    immediate = providers.get(payment.provider).refund(
        out_trade_no=payment.out_trade_no,
        transaction_id=payment.transaction_id or "",
        out_refund_no=provider_refund.out_refund_no,
        refund_cents=to_integer_fen(provider_refund.amount),
        total_cents=to_integer_fen(payment.amount),
        reason=provider_refund.refund.reason,
    )
    if immediate is not None:
        headers, body = immediate
        notification_handle(provider_name=payment.provider, headers=headers, body=body)
    return Refund.objects.get(pk=refund_id)


@transaction.atomic
def _provider_refund_for(*, refund_id: int) -> ProviderRefund:
    refund = order_locks.refund_for_update(refund_id)
    if refund is None:
        raise RefundNotFound()
    existing = ProviderRefund.objects.select_related("payment", "refund").filter(refund=refund)
    if existing.exists():
        return existing.get()
    payment = Payment.objects.filter(order_id=refund.order_id, status=Payment.Status.PAID).first()
    if payment is None:
        raise PaymentNotFound("该订单没有已支付的支付单")
    created = ProviderRefund.objects.create(
        refund=refund, payment=payment, out_refund_no=refund.number, amount=refund.amount
    )
    return ProviderRefund.objects.select_related("payment", "refund").get(pk=created.pk)


def payments_query_pending(*, now: datetime | None = None, overdue_only: bool = False) -> int:
    """Ask the provider about payments still unpaid PAYMENT_QUERY_AFTER after they were
    started, or whose order's pay deadline has passed (however young the payment: the
    timeout must not cancel an order the buyer paid in its last minutes), while their order
    can still take the money (pending, or cancelled with the payment not closed yet). A
    SUCCESS answer goes through the notification's own code path, so a lost notification
    loses no order and a late one changes nothing; any other answer (NOTPAY, CLOSED, ...)
    leaves the payment. Returns how many SUCCESS answers were applied. `overdue_only`: only
    those whose order's deadline has passed (what the timeout job asks first)."""
    now = now or timezone.now()
    overdue = Q(order__pay_deadline__lte=now)
    old = Q(created_at__lte=now - settings.PAYMENT_QUERY_AFTER)
    pending = Payment.objects.filter(
        overdue if overdue_only else old | overdue,
        provider__in=settings.PAYMENT_PROVIDERS,
        status=Payment.Status.CREATED,
        order__status__in=[Order.Status.PENDING_PAYMENT, Order.Status.CANCELLED],
    ).order_by("pk")
    paid = 0
    for payment in pending:
        try:
            paid += payment_apply_query(payment=payment, now=now)
        except DomainError as exc:
            logger.warning("query of payment %s not applied: %s", payment.out_trade_no, exc)
    return paid


def payment_apply_query(*, payment: Payment, now: datetime) -> bool:
    """Query one payment (outside any lock) and apply a SUCCESS answer as a notification
    whose id is `query:<transaction id>`: two workers querying, or the real notification
    arriving too, pay once. An answer that does not fit our payment raises and changes
    nothing."""
    provider = providers.get(payment.provider)
    answer = provider.query_payment(out_trade_no=payment.out_trade_no)
    if answer is None or answer.get("trade_state") != "SUCCESS":
        return False
    if answer.get("out_trade_no") != payment.out_trade_no:
        raise NotificationMismatch("查单结果的订单号不符")
    transaction_id = answer.get("transaction_id")
    if not (isinstance(transaction_id, str) and 0 < len(transaction_id) <= 32):
        raise NotificationMalformed("查单结果缺少微信订单号")
    notification = Notification(
        id=f"query:{transaction_id}", event_type="TRANSACTION.SUCCESS", resource=answer
    )
    resource = _resource_of(notification)
    applied, _ = _apply(provider=provider, notification=notification, resource=resource, now=now)
    return applied


def payments_close_for_cancelled() -> int:
    """Close the unpaid payments of cancelled orders with their provider, so a buyer cannot
    pay them later. A provider that refuses (paid meanwhile) leaves it to the notification."""
    stale = Payment.objects.filter(
        status=Payment.Status.CREATED, order__status=Order.Status.CANCELLED
    ).order_by("pk")
    closed = 0
    for payment in stale:
        try:
            providers.get(payment.provider).close(out_trade_no=payment.out_trade_no)
        except (ProviderError, ProviderUnavailable) as exc:
            logger.warning("could not close payment %s: %s", payment.pk, exc)
            continue
        closed += Payment.objects.filter(pk=payment.pk, status=Payment.Status.CREATED).update(
            status=Payment.Status.CLOSED
        )
    return closed


def refunds_retry(*, now: datetime | None = None) -> int:
    """Send again the approved refunds whose provider refund failed, or has been processing
    for REFUND_RETRY_AFTER without an answer, and send those approved that long ago but never
    sent (the process stopped between the approval and the call). Providers treat the same
    out_refund_no as the same refund, so a retry never pays twice."""
    now = now or timezone.now()
    since = now - settings.REFUND_RETRY_AFTER
    stuck = ProviderRefund.objects.filter(refund__status=Refund.Status.APPROVED).filter(
        Q(status=ProviderRefund.Status.FAILED)
        | Q(status=ProviderRefund.Status.PROCESSING, created_at__lte=since)
    )
    unsent = Refund.objects.filter(
        status=Refund.Status.APPROVED, provider_refund__isnull=True, reviewed_at__lte=since
    )
    retried = 0
    for refund_id in sorted(
        {*stuck.values_list("refund_id", flat=True), *unsent.values_list("pk", flat=True)}
    ):
        ProviderRefund.objects.filter(
            refund_id=refund_id, status=ProviderRefund.Status.FAILED
        ).update(status=ProviderRefund.Status.PROCESSING)
        try:
            refund_send(refund_id=refund_id)
            retried += 1
        except DomainError as exc:
            logger.warning("refund %s retry failed: %s", refund_id, exc)
    return retried

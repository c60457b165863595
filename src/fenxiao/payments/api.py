"""Paying orders, the sandbox's "user paid" button, provider notifications, refund review."""

from ninja import Body, Router, Status

from fenxiao.accounts.auth import require_perm
from fenxiao.api_docs import raises
from fenxiao.errors import NotFound, PermissionDenied
from fenxiao.marketing.errors import PointsInsufficient
from fenxiao.orders import services as orders
from fenxiao.orders.errors import OrderNotFound, RefundNotFound, RefundStateError
from fenxiao.orders.schemas import RefundOut, RefundRejectIn
from fenxiao.orders.selectors import refund_any
from fenxiao.payments import services
from fenxiao.payments.errors import (
    NotificationMalformed,
    NotificationMismatch,
    OrderNotPayable,
    PaymentNotFound,
    ProviderUnavailable,
)
from fenxiao.payments.notify import refusals
from fenxiao.payments.schemas import PayIn, PayOut, RefundApproveIn, SandboxCompleteOut

router = Router(tags=["payments"])
admin_router = Router(tags=["staff: refunds"])


@router.post(
    "/orders/{order_id}/pay",
    response=PayOut,
    summary="发起支付",
    openapi_extra=raises(ProviderUnavailable, OrderNotFound, OrderNotPayable),
)
def order_pay(request, order_id: int, payload: Body[PayIn] = None):
    payment, params = services.payment_start(
        order_id=order_id, buyer=request.auth, provider_name=payload and payload.provider
    )
    return {
        "payment_id": payment.pk,
        "provider": payment.provider,
        "out_trade_no": payment.out_trade_no,
        "amount": str(payment.amount),
        "status": payment.status,
        "params": params,
    }


@router.post(
    "/payments/sandbox/{payment_id}/complete",
    response=SandboxCompleteOut,
    summary="沙箱支付：模拟用户付款",
    openapi_extra=raises(
        NotificationMalformed,
        NotificationMismatch,
        PointsInsufficient,
        ProviderUnavailable,
        NotFound,
        PaymentNotFound,
        RefundNotFound,
        OrderNotPayable,
    ),
)
def sandbox_complete(request, payment_id: int):
    """Plays the buyer paying in WeChat: the sandbox signs a notification and delivers it."""
    payment, headers, body = services.sandbox_payment_complete(
        payment_id=payment_id, buyer=request.auth
    )
    return {
        "payment_id": payment.pk,
        "status": payment.status,
        "order_status": payment.order.status,
        "notification": {"headers": headers, "body": body},
    }


@router.post(
    "/payments/notify/{provider}",
    auth=None,
    response={204: None},
    summary="支付结果通知（微信支付回调）",
    openapi_extra=raises(
        *refusals(),
        NotificationMalformed,
        NotificationMismatch,
        PointsInsufficient,
        ProviderUnavailable,
        PaymentNotFound,
        RefundNotFound,
    ),
)
def notify(request, provider: str):
    """WeChat Pay (or the sandbox) calls this; 204 tells it the notification is taken, also
    when it is a redelivery of one already handled."""
    services.notification_handle(
        provider_name=provider,
        headers=request.headers,
        body=request.body.decode("utf-8", "replace"),
    )
    return Status(204, None)


@admin_router.post(
    "/refunds/{refund_id}/approve",
    response=RefundOut,
    summary="同意退款",
    openapi_extra=raises(
        NotificationMalformed,
        NotificationMismatch,
        PointsInsufficient,
        ProviderUnavailable,
        PermissionDenied,
        PaymentNotFound,
        RefundNotFound,
        RefundStateError,
    ),
)
def refund_approve(request, refund_id: int, payload: Body[RefundApproveIn] = None):
    staff = require_perm(request, "orders.change_refund")
    services.refund_approve(
        refund_id=refund_id, staff=staff, return_stock=payload.return_stock if payload else True
    )
    return refund_any(refund_id=refund_id)


@admin_router.post(
    "/refunds/{refund_id}/reject",
    response=RefundOut,
    summary="拒绝退款",
    openapi_extra=raises(PermissionDenied, RefundNotFound, RefundStateError),
)
def refund_reject(request, refund_id: int, payload: RefundRejectIn):
    staff = require_perm(request, "orders.change_refund")
    orders.refund_reject(refund_id=refund_id, staff=staff, reason=payload.reason)
    return refund_any(refund_id=refund_id)

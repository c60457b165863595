"""Errors of the payments app, with stable codes."""

from fenxiao.errors import Conflict, DomainError, NotFound


class PaymentNotFound(NotFound):
    code = "payment_not_found"
    message = "支付单不存在"


class ProviderUnavailable(DomainError):
    code = "provider_unavailable"
    message = "该支付方式未启用"


class OrderNotPayable(Conflict):
    code = "order_not_payable"
    message = "订单当前不能支付"


class NotificationRejected(DomainError):
    """A notification we refuse; the provider is told so with a 4xx (WeChat then retries)."""

    code = "invalid_notification"
    status = 401
    message = "通知验签失败"


class NotificationMalformed(DomainError):
    """Genuine (it verified) but its decrypted resource lacks a field we read or has one of
    the wrong type: WeChat never sends that, so it is refused before anything is written."""

    code = "malformed_notification"
    message = "通知内容格式错误"


class NotificationMismatch(DomainError):
    code = "notification_mismatch"
    message = "通知内容与订单记录不符"


class ProviderError(DomainError):
    code = "provider_error"
    status = 502
    message = "支付渠道调用失败"


class BillMalformed(DomainError):
    """A bill whose file does not have WeChat's format (or fails its own summary)."""

    code = "bill_malformed"
    status = 502
    message = "账单格式错误"

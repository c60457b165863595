from fenxiao.errors import Conflict, DomainError, NotFound


class OrderNotFound(NotFound):
    code = "order_not_found"
    message = "订单不存在"


class RefundNotFound(NotFound):
    code = "refund_not_found"
    message = "售后单不存在"


class SkuUnavailable(DomainError):
    code = "sku_unavailable"
    message = "商品不存在或已下架"


class OutOfStock(Conflict):
    code = "out_of_stock"
    message = "库存不足"


class InvalidOrder(DomainError):
    code = "invalid_order"
    message = "订单内容无效"


class OrderStateError(Conflict):
    code = "invalid_order_state"
    message = "订单当前状态不允许该操作"


class RefundInvalid(DomainError):
    code = "invalid_refund"
    message = "退款申请无效"


class RefundStateError(Conflict):
    code = "invalid_refund_state"
    message = "售后单当前状态不允许该操作"

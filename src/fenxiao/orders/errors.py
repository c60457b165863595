from fenxiao.catalog.errors import OutOfStock
from fenxiao.errors import Conflict, DomainError, NotFound

# raised by the catalog's stock reservation; orders callers catch it from here
__all__ = ["OutOfStock"]


class OrderNotFound(NotFound):
    code = "order_not_found"
    message = "订单不存在"


class RefundNotFound(NotFound):
    code = "refund_not_found"
    message = "售后单不存在"


class SkuUnavailable(DomainError):
    code = "sku_unavailable"
    message = "商品不存在或已下架"


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


class IdempotencyConflict(Conflict):
    code = "idempotency_conflict"
    message = "该 request_id 已用于内容不同的另一笔订单，请为新订单使用新的 request_id"


class CartItemNotFound(NotFound):
    code = "cart_item_not_found"
    message = "购物车中没有该商品"


class CartSkuUnavailable(Conflict):
    code = "sku_unavailable"
    message = "商品已下架或暂不可购买"


class CartFull(Conflict):
    code = "cart_full"
    message = "购物车已满，请先结算或删除部分商品"


class CartQuantityInvalid(DomainError):
    code = "invalid_quantity"
    message = "购买数量无效"


class FeatureNotEnabled(DomainError):
    code = "feature_not_enabled"
    message = "该功能尚未开放"

from fenxiao.errors import Conflict, DomainError, NotFound


class ProductNotFound(NotFound):
    code = "product_not_found"
    message = "商品不存在"


class CategoryNotFound(NotFound):
    code = "category_not_found"
    message = "分类不存在"


class CategoryTooDeep(DomainError):
    code = "category_too_deep"
    message = "分类最多两级"


class InvalidImage(DomainError):
    code = "invalid_image"
    message = "图片无效"


class ProductInvalid(DomainError):
    code = "product_invalid"
    message = "商品信息不完整"


class SkuNotFound(NotFound):
    code = "sku_not_found"
    message = "SKU 不存在"


class StockInvalid(DomainError):
    code = "stock_invalid"
    message = "库存调整无效"


class StockConflict(Conflict):
    code = "stock_conflict"
    message = "库存已被其他操作修改（如有新订单），请刷新后按最新库存重新填写"


class StockBelowZero(Conflict):
    code = "stock_below_zero"
    message = "库存不足，调整后库存不能小于 0"


class StockTooLarge(Conflict):
    code = "stock_too_large"
    message = "调整后库存超过上限"


class OutOfStock(Conflict):
    code = "out_of_stock"
    message = "库存不足"


class FreightTemplateNotFound(NotFound):
    code = "freight_template_not_found"
    message = "运费模板不存在"


class FreightTemplateInvalid(DomainError):
    code = "freight_template_invalid"
    message = "运费模板填写有误"


class FreightTemplateInUse(Conflict):
    code = "freight_template_in_use"
    message = "运费模板正被商品使用，不能删除"


class FreightUndeliverable(DomainError):
    code = "freight_undeliverable"
    message = "该地区不配送"

from fenxiao.errors import DomainError, NotFound


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

from fenxiao.errors import DomainError


class InvalidShopSettings(DomainError):
    code = "invalid_shop_settings"
    message = "店铺设置无效"

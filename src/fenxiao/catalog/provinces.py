"""China's 34 province-level regions, named as addresses write them, for freight templates."""

PROVINCES = (
    "北京市",
    "天津市",
    "河北省",
    "山西省",
    "内蒙古自治区",
    "辽宁省",
    "吉林省",
    "黑龙江省",
    "上海市",
    "江苏省",
    "浙江省",
    "安徽省",
    "福建省",
    "江西省",
    "山东省",
    "河南省",
    "湖北省",
    "湖南省",
    "广东省",
    "广西壮族自治区",
    "海南省",
    "重庆市",
    "四川省",
    "贵州省",
    "云南省",
    "西藏自治区",
    "陕西省",
    "甘肃省",
    "青海省",
    "宁夏回族自治区",
    "新疆维吾尔自治区",
    "台湾省",
    "香港特别行政区",
    "澳门特别行政区",
)

SUFFIXES = ("壮族自治区", "回族自治区", "维吾尔自治区", "特别行政区", "自治区", "省", "市")


def _short(name: str) -> str:
    for suffix in SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix):
            return name.removesuffix(suffix)
    return name


# "广东省" and "广东" both name 广东省: addresses are typed by hand
_BY_SHORT = {_short(name): name for name in PROVINCES}


def province_canonical(name: str | None) -> str | None:
    """The full name of a province as written in PROVINCES, or None if it is not one."""
    if not name:
        return None
    text = name.strip()
    if text in PROVINCES:
        return text
    return _BY_SHORT.get(_short(text))

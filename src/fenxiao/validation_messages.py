"""Chinese wording for pydantic's validation errors, shown in API error messages."""

PLAIN = {
    "missing": "缺少该字段",
    "int_parsing": "须为整数",
    "int_type": "须为整数",
    "int_from_float": "须为整数",
    "decimal_parsing": "须为数字",
    "decimal_type": "须为数字",
    "float_parsing": "须为数字",
    "string_type": "须为字符串",
    "bool_type": "须为 true 或 false",
    "bool_parsing": "须为 true 或 false",
    "list_type": "须为列表",
    "dict_type": "须为对象",
    "model_type": "须为对象",
    "model_attributes_type": "须为对象",
    "string_pattern_mismatch": "格式不正确",
    "extra_forbidden": "不允许的字段",
    "json_invalid": "不是有效的 JSON",
    "finite_number": "须为有限数字",
    "decimal_whole_digits": "数值过大",
}
WITH_CONTEXT = {
    "greater_than": "须大于 {gt}",
    "greater_than_equal": "须不小于 {ge}",
    "less_than": "须小于 {lt}",
    "less_than_equal": "须不大于 {le}",
    "too_short": "至少需要 {min_length} 项",
    "too_long": "最多 {max_length} 项",
    "string_too_short": "长度至少为 {min_length}",
    "string_too_long": "长度最多为 {max_length}",
    "decimal_max_places": "最多 {decimal_places} 位小数",
    "decimal_max_digits": "最多 {max_digits} 位数字",
    "literal_error": "须为以下之一: {expected}",
    "enum": "须为以下之一: {expected}",
}


def chinese(error: dict) -> str:
    kind = error.get("type", "")
    if kind in PLAIN:
        return PLAIN[kind]
    if kind in WITH_CONTEXT:
        try:
            return WITH_CONTEXT[kind].format(**(error.get("ctx") or {}))
        except (KeyError, IndexError):
            pass
    return str(error.get("msg", "格式不正确"))

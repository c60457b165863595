from fenxiao.errors import DomainError


class PhoneTaken(DomainError):
    code = "phone_taken"
    status = 409
    message = "该手机号已注册"


class InvalidCredentials(DomainError):
    code = "invalid_credentials"
    status = 401
    message = "手机号或密码错误"


class TooManyAttempts(DomainError):
    code = "too_many_attempts"
    status = 429
    message = "登录失败次数过多，请稍后再试"


class WeakPassword(DomainError):
    code = "weak_password"
    message = "密码太简单"


class UnknownRole(DomainError):
    code = "unknown_role"
    message = "未知的员工角色"


class InvalidPhone(DomainError):
    code = "invalid_phone"
    message = "手机号格式错误：请输入 5 到 15 位数字（可带 +）"

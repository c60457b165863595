"""The base class of every domain error; api.py turns them into {code, message} responses."""


class DomainError(Exception):
    code = "domain_error"
    status = 400
    message = "请求无法完成"

    def __init__(self, message: str | None = None, *, code: str | None = None):
        self.message = message or self.message
        if code:
            self.code = code
        super().__init__(self.message)


class NotFound(DomainError):
    code = "not_found"
    status = 404
    message = "对象不存在"


class PermissionDenied(DomainError):
    code = "forbidden"
    status = 403
    message = "没有权限"


class Conflict(DomainError):
    code = "conflict"
    status = 409
    message = "状态冲突"

"""The REST API v1: one NinjaAPI, the routers of every app, and errors as {code, message}."""

import logging
from typing import Literal

from django.core.exceptions import RequestDataTooBig
from django.http import Http404
from ninja import Schema
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.parser import Parser

from fenxiao.accounts.api import router as accounts_router
from fenxiao.accounts.auth import StaffTokenAuth, TokenAuth
from fenxiao.api_docs import DocumentedAPI
from fenxiao.auth_api import router as auth_router
from fenxiao.catalog.api import admin_router as catalog_admin_router
from fenxiao.catalog.api import router as catalog_router
from fenxiao.coupons_api import router as coupons_router
from fenxiao.distribution.api import admin_router as distribution_admin_router
from fenxiao.distribution.api import router as distribution_router
from fenxiao.distribution.api_products import router as distribution_products_router
from fenxiao.distributor_api import router as distributor_router
from fenxiao.errors import DomainError
from fenxiao.marketing.api import admin_router as marketing_admin_router
from fenxiao.marketing.api import router as marketing_router
from fenxiao.marketing.api_points import router as points_router
from fenxiao.orders.api import admin_router as orders_admin_router
from fenxiao.orders.api import router as orders_router
from fenxiao.orders.api_promotions import router as promotions_admin_router
from fenxiao.payments.api import admin_router as payments_admin_router
from fenxiao.payments.api import router as payments_router
from fenxiao.payouts.api import admin_router as payouts_admin_router
from fenxiao.payouts.api import router as payouts_router
from fenxiao.storefront.api import router as storefront_router
from fenxiao.validation_messages import chinese

logger = logging.getLogger(__name__)


def has_nul(value) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(has_nul(k) or has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(has_nul(v) for v in value)
    return False


class NulRefusingParser(Parser):
    """JSON bodies and query strings; a NUL character is refused (PostgreSQL cannot store it)."""

    def parse_body(self, request):
        data = super().parse_body(request)
        if has_nul(data):
            raise ValidationError([{"loc": ("body",), "msg": "不能包含空字符 (\\u0000)"}])
        return data

    def parse_querydict(self, data, list_fields, request):
        result = super().parse_querydict(data, list_fields, request)
        if has_nul(result):
            raise ValidationError([{"loc": ("query",), "msg": "不能包含空字符 (\\u0000)"}])
        return result


api = DocumentedAPI(
    title="fenxiao API",
    version="1.0.0",
    urls_namespace="api-1",
    auth=TokenAuth(),
    parser=NulRefusingParser(),
    description="小程序分销系统 REST API. Amounts are decimal strings in yuan.",
)


def error(request, status: int, code: str, message: str, **extra):
    return api.create_response(request, {"code": code, "message": message, **extra}, status=status)


@api.exception_handler(DomainError)
def on_domain_error(request, exc: DomainError):
    return error(request, exc.status, exc.code, exc.message)


@api.exception_handler(ValidationError)
def on_validation_error(request, exc: ValidationError):
    first = exc.errors[0] if exc.errors else {}
    where = ".".join(str(p) for p in first.get("loc", ()) if p not in ("body", "payload"))
    message = f"参数错误: {where} {chinese(first) if first else ''}".strip()
    errors = [
        {"loc": list(e.get("loc", ())), "type": e.get("type", ""), "msg": chinese(e)}
        for e in exc.errors
    ]
    return error(request, 400, "invalid_input", message, errors=errors)


@api.exception_handler(AuthenticationError)
def on_unauthenticated(request, exc):
    return error(request, 401, "unauthorized", "请先登录")


@api.exception_handler(HttpError)
def on_http_error(request, exc: HttpError):
    if isinstance(exc.__cause__, ValidationError):  # raised while parsing the body
        return on_validation_error(request, exc.__cause__)
    if exc.status_code == 400 and "parse request body" in str(exc):
        return error(request, 400, "invalid_json", "请求体不是有效的 JSON")
    return error(request, exc.status_code, "http_error", str(exc))


@api.exception_handler(Http404)
def on_not_found(request, exc):
    return error(request, 404, "not_found", "对象不存在")


@api.exception_handler(OverflowError)
def on_id_out_of_range(request, exc):
    # an id beyond a 64-bit integer in a path: SQLite refuses to bind it where a lookup goes
    # through a relation (Django already answers "no rows" for plain integer fields)
    return error(request, 404, "not_found", "对象不存在")


@api.exception_handler(RequestDataTooBig)
def on_too_big(request, exc):
    return error(request, 413, "payload_too_large", "请求体过大")


@api.exception_handler(Exception)
def on_unexpected(request, exc):
    logger.exception("unhandled API error")
    return error(request, 500, "server_error", "服务器内部错误")


class HealthOut(Schema):
    status: Literal["ok"]


@api.get("/health", auth=None, response=HealthOut, summary="服务存活检查")
def health(request):
    """Answers without touching the database: for load balancers, and the bench's reference for
    the cost of a bare request through the same server."""
    return {"status": "ok"}


api.add_router("/", auth_router)
api.add_router("/", accounts_router)
api.add_router("/", catalog_router)
api.add_router("/", orders_router)
api.add_router("/", payments_router)
api.add_router("/", distribution_router)
api.add_router("/", distributor_router)
api.add_router("/", storefront_router)
api.add_router("/", payouts_router)
api.add_router("/", marketing_router)
api.add_router("/", coupons_router)
api.add_router("/", points_router)
api.add_router("/admin", catalog_admin_router, auth=StaffTokenAuth())
api.add_router("/admin", orders_admin_router, auth=StaffTokenAuth())
api.add_router("/admin", promotions_admin_router, auth=StaffTokenAuth())
api.add_router("/admin", payments_admin_router, auth=StaffTokenAuth())
api.add_router("/admin", distribution_admin_router, auth=StaffTokenAuth())
api.add_router("/admin", distribution_products_router, auth=StaffTokenAuth())
api.add_router("/admin", payouts_admin_router, auth=StaffTokenAuth())
api.add_router("/admin", marketing_admin_router, auth=StaffTokenAuth())

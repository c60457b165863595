"""The error side of the OpenAPI document: the {code, message} schema, the domain errors each
operation declares with `raises(...)`, and the codes every operation can answer with."""

from typing import Any, Literal

from django.db import models
from ninja import NinjaAPI, Schema

from fenxiao.errors import DomainError


def one_of(choices: type[models.TextChoices], *extra: str) -> Any:
    """A model field's choices as a Literal: the OpenAPI schema lists them as an enum."""
    return Literal[(*choices.values, *extra)]


class ErrorOut(Schema):
    code: str
    message: str


ERROR_SCHEMA = "ErrorOut"

# what api.py's exception handlers answer for any operation
INVALID_INPUT = {"invalid_input": "参数错误"}
INVALID_JSON = {"invalid_json": "请求体不是有效的 JSON"}
UNAUTHORIZED = {"unauthorized": "请先登录"}
FORBIDDEN = {"forbidden": "没有权限"}
NOT_FOUND = {"not_found": "对象不存在"}
TOO_LARGE = {"payload_too_large": "请求体过大"}


def error_responses(*errors: type[DomainError] | DomainError) -> dict[int, dict]:
    """Responses of an operation's domain errors, by status, each listing its codes. An error
    instance stands for a code given at the raise site (`NotFound(code="address_not_found")`)."""
    responses: dict[int, dict] = {}
    for error in errors:
        codes = responses.setdefault(error.status, {"x-error-codes": {}})["x-error-codes"]
        codes[error.code] = error.message
    return responses


def raises(*errors: type[DomainError] | DomainError) -> dict:
    """`openapi_extra` of a route: the domain errors it can answer with."""
    return {"responses": error_responses(*errors)}


def _add_codes(responses: dict, status: int, codes: dict[str, str]) -> None:
    response = responses.setdefault(status, {"x-error-codes": {}})
    response.setdefault("x-error-codes", {}).update(codes)


def _describe(response: dict) -> None:
    codes = response["x-error-codes"]
    response["description"] = "\n".join(f"- `{code}`: {text}" for code, text in codes.items())
    schema = {
        "allOf": [
            {"$ref": f"#/components/schemas/{ERROR_SCHEMA}"},
            {"properties": {"code": {"type": "string", "enum": sorted(codes)}}},
        ]
    }
    response["content"] = {"application/json": {"schema": schema}}


def document_errors(schema: dict) -> dict:
    """Adds to every operation the errors any operation can answer with (bad input, not logged
    in, no staff permission, unknown object) next to the ones it declares, each status with the
    shared error schema and its possible `code` values."""
    for item in schema["paths"].values():
        for operation in item.values():
            responses = operation.setdefault("responses", {})
            for status in [s for s in responses if isinstance(s, str) and s.isdigit()]:
                responses[int(status)] = responses.pop(status)
            schemes = {
                name for requirement in operation.get("security", []) for name in requirement
            }
            _add_codes(responses, 400, INVALID_INPUT)
            if "requestBody" in operation:
                _add_codes(responses, 400, INVALID_JSON)
                _add_codes(responses, 413, TOO_LARGE)
            if schemes - {"OptionalTokenAuth"}:
                _add_codes(responses, 401, UNAUTHORIZED)
            if "StaffTokenAuth" in schemes:
                _add_codes(responses, 403, FORBIDDEN)
            _add_codes(responses, 404, NOT_FOUND)
            for status, response in responses.items():
                if status >= 400 and "x-error-codes" in response:
                    _describe(response)
            operation["responses"] = dict(sorted(responses.items()))
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    components[ERROR_SCHEMA] = ErrorOut.model_json_schema(
        ref_template="#/components/schemas/{model}"
    )
    return schema


class DocumentedAPI(NinjaAPI):
    """A NinjaAPI whose OpenAPI document lists every operation's error responses."""

    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        return document_errors(schema)

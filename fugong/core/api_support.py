"""What every API router shares: authentication, pagination and the error bodies (interfaces.md, "HTTP API").

- Authentication: `Authorization: Bearer <token>` (accounts.tokens) or the browser session; the session needs
  the CSRF token for unsafe methods, a bearer token does not (it cannot be sent by a forged form).
- Status codes: 401 no valid credentials; 403 the role may not take the action; 404 missing *or* out of scope,
  with one body for both; 409 a stale `version`; 422 invalid input naming each field and problem. Bad input
  never reaches a 500.
- Lists: `?page=&page_size=` (page_size ≤ 500) → `{"count": n, "items": [...]}`.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping
from typing import Any, Generic, TypeVar

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf
from pydantic import field_validator

from fugong.accounts import roles
from fugong.accounts.tokens import verify_token

MAX_PAGE_SIZE = 500
DEFAULT_PAGE_SIZE = 50
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})

T = TypeVar("T")


# --- authentication -----------------------------------------------------------------------------


class BearerAuth(HttpBearer):
    def __call__(self, request: HttpRequest) -> Any:
        header = request.headers.get(self.header, "")
        if not header:
            return None
        scheme, _sep, token = header.partition(" ")
        user = verify_token(token.strip()) if scheme.lower() == "bearer" else None
        if user is None:
            # A credential was offered and it is wrong (unknown, revoked, inactive user, other scheme): 401 now,
            # rather than silently falling back to a session cookie the client may not know it is sending.
            raise AuthenticationError
        return self.authenticate(request, user)

    def authenticate(self, request: HttpRequest, token: Any) -> Any:
        # Handlers and services read request.user whichever way the caller signed in.
        request.user = token
        return token


class SessionAuth(APIKeyCookie):
    """The signed-in browser session. Unlike ninja's own, an anonymous request is a 401 even on POST — the
    CSRF check only applies once there is a session to protect."""

    param_name = settings.SESSION_COOKIE_NAME

    def __call__(self, request: HttpRequest) -> Any:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        if request.method not in SAFE_METHODS and check_csrf(request) is not None:
            raise HttpError(403, _("CSRF校验失败：请携带CSRF令牌（X-CSRFToken请求头），或改用API令牌"))
        return user

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:  # pragma: no cover - __call__ decides
        return None


AUTH = [BearerAuth(), SessionAuth()]


def require(user: Any, action: str) -> None:
    """403 unless the user's role may take `action` (roles.ROLE_ACTIONS)."""
    if not roles.can(user, action):
        raise PermissionDenied


# --- errors -------------------------------------------------------------------------------------


class ApiError(Exception):
    def __init__(self, status: int, detail: str, errors: list[dict[str, str]] | None = None) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.errors = errors


def field_errors(errors: Mapping[str, str], detail: str | None = None) -> ApiError:
    """A 422 from a service's {field: message} (e.g. EnterpriseValidationError.errors)."""
    return ApiError(
        422,
        detail or _("输入有误，请检查标出的字段"),
        [{"field": k, "message": str(v)} for k, v in errors.items()],
    )


def conflict(detail: str) -> ApiError:
    return ApiError(409, detail)


class ErrorOut(Schema):
    detail: str


class FieldErrorOut(Schema):
    field: str
    message: str


class ValidationErrorOut(Schema):
    detail: str
    errors: list[FieldErrorOut]


# The statuses every authenticated operation can answer with besides its success (for the OpenAPI document).
ERRORS: dict[int, Any] = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut}

_PARAM_SOURCES = frozenset({"body", "query", "path", "header", "cookie", "form", "file"})


def _field_name(loc: Iterable[Any]) -> str:
    parts = list(loc)
    if parts and parts[0] in _PARAM_SOURCES:
        source = parts.pop(0)
        # A body schema arrives as ("body", "<parameter name>", field…): the parameter name means nothing
        # to the client.
        if source == "body" and len(parts) > 1:
            parts.pop(0)
    return ".".join(str(p) for p in parts) or "body"


def _message(error: Mapping[str, Any]) -> str:
    """Pydantic's English message, said in Chinese for the errors a client actually makes."""
    kind = error.get("type", "")
    ctx = error.get("ctx") or {}
    messages = {
        "missing": _("必填"),
        "int_parsing": _("须为整数"),
        "int_from_float": _("须为整数"),
        "float_parsing": _("须为数字"),
        "decimal_parsing": _("须为数字"),
        "bool_parsing": _("须为 true 或 false"),
        "date_parsing": _("日期格式应为 YYYY-MM-DD"),
        "date_from_datetime_parsing": _("日期格式应为 YYYY-MM-DD"),
        "string_type": _("须为文本"),
        "list_type": _("须为列表"),
        "extra_forbidden": _("不允许的字段"),
        "enum": _("不是可选的值"),
        "literal_error": _("不是可选的值"),
    }
    if kind in messages:
        return str(messages[kind])
    bounds = {
        "greater_than_equal": _("不能小于 %(v)s"),
        "greater_than": _("须大于 %(v)s"),
        "less_than_equal": _("不能大于 %(v)s"),
        "less_than": _("须小于 %(v)s"),
        "string_too_long": _("不能超过 %(v)s 个字符"),
        "string_too_short": _("不能少于 %(v)s 个字符"),
        "too_short": _("至少需要 %(v)s 项"),
        "too_long": _("最多 %(v)s 项"),
        "decimal_max_digits": _("数字位数不能超过 %(v)s"),
        "decimal_max_places": _("小数位数不能超过 %(v)s"),
        "decimal_whole_digits": _("整数位数不能超过 %(v)s"),
    }
    if kind in bounds:
        value = next(iter(ctx.values()), "") if ctx else ""
        return bounds[kind] % {"v": value}
    if kind == "value_error" and "error" in ctx:
        return str(ctx["error"])
    return str(error.get("msg", _("无效的值")))


def validation_body(errors: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    return {
        "detail": _("输入有误，请检查标出的字段"),
        "errors": [{"field": _field_name(e.get("loc", ())), "message": _message(e)} for e in errors],
    }


def install_error_handlers(api: NinjaAPI) -> None:
    def respond(request: HttpRequest, body: Mapping[str, Any], status: int) -> HttpResponse:
        return api.create_response(request, dict(body), status=status)

    @api.exception_handler(ValidationError)
    def invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        return respond(request, validation_body(exc.errors), 422)

    @api.exception_handler(ApiError)
    def api_error(request: HttpRequest, exc: ApiError) -> HttpResponse:
        body: dict[str, Any] = {"detail": exc.detail}
        if exc.errors is not None:
            body["errors"] = exc.errors
        return respond(request, body, exc.status)

    @api.exception_handler(AuthenticationError)
    def unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        response = respond(request, {"detail": _("未认证：请登录，或在 Authorization 请求头中提供有效的API令牌")}, 401)
        response["WWW-Authenticate"] = 'Bearer realm="fugong"'
        return response

    @api.exception_handler(HttpError)
    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        if exc.status_code == 400:
            # ninja raises 400 only when the body is not parseable (malformed JSON): invalid input, so 422.
            body = {
                "detail": _("请求体不是有效的JSON"),
                "errors": [{"field": "body", "message": _("无法解析请求体")}],
            }
            return respond(request, body, 422)
        return respond(request, {"detail": str(exc)}, exc.status_code)

    @api.exception_handler(PermissionDenied)
    def forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
        return respond(request, {"detail": _("无权执行此操作")}, 403)

    @api.exception_handler(Http404)
    def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        # One body for missing and out of scope: the message of the exception is never echoed.
        return respond(request, {"detail": _("未找到")}, 404)


# --- pagination ---------------------------------------------------------------------------------


class QueryParams(Schema):
    """Query parameters of every list and filter: text with a control character (NUL above all) is a 422 here —
    PostgreSQL refuses NUL in any string it is sent, so it would otherwise fail inside the query (a 500)."""

    @field_validator("*", mode="before")
    @classmethod
    def _no_control_characters(cls, value: Any) -> Any:
        if isinstance(value, str) and any(unicodedata.category(c) == "Cc" for c in value):
            raise ValueError(_("不能包含控制字符"))
        return value


class PageQuery(QueryParams):
    page: int = Field(1, ge=1, le=1_000_000, description="页码，从1开始")
    page_size: int = Field(DEFAULT_PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE, description="每页条数，最多500")


class Page(Schema, Generic[T]):
    count: int
    items: list[T]


def paginate(qs: QuerySet[Any], page: int, page_size: int) -> dict[str, Any]:
    """Two queries whatever the page: the count and the slice. A page past the end is empty, not an error."""
    start = (page - 1) * page_size
    return {"count": qs.count(), "items": list(qs[start : start + page_size])}

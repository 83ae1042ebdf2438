"""The root API at /api/v1/ (interfaces.md, "HTTP API"). Each app adds a router in <app>/api.py; the shared
authentication, pagination and error bodies live in fugong.core.api_support."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import NinjaAPI, Schema

from fugong.accounts.roles import ROLE_ACTIONS
from fugong.core import scoping
from fugong.core.api_support import AUTH, ERRORS, install_error_handlers
from fugong.enterprises.api import router as enterprises_router
from fugong.liaison.api import router as liaison_router
from fugong.outreach.api import router as outreach_router
from fugong.reports.api import router as reports_router
from fugong.resumption.api import router as resumption_router
from fugong.screening.api import router as screening_router
from fugong.supplies.api import router as supplies_router
from fugong.workforce.api import router as workforce_router

api = NinjaAPI(
    title="fugong API",
    version="1",
    description="苏仙区复工复产服务平台接口。认证：浏览器会话（修改类请求需CSRF令牌）或 `Authorization: Bearer <令牌>`"
    "（`manage.py issue_token 用户名` 签发）。",
    urls_namespace="api",
    auth=AUTH,
)
install_error_handlers(api)


class MeOut(Schema):
    username: str
    full_name: str
    role: str
    role_label: str
    scope: str
    actions: list[str]


@api.get("/me", response={200: MeOut, **ERRORS}, tags=["账号"], summary="当前用户")
def me(request: HttpRequest) -> Any:
    user: Any = request.user  # a signed-in User: the auth above refused anyone else
    return {
        "username": user.username,
        "full_name": getattr(user, "full_name", ""),
        "role": user.role,
        "role_label": str(user.get_role_display()) if user.role else "",
        "scope": scoping.scope_label(user),
        "actions": sorted(ROLE_ACTIONS.get(user.role, ())),
    }


api.add_router("", enterprises_router)
api.add_router("", reports_router)
api.add_router("", workforce_router)
api.add_router("", screening_router)
api.add_router("", supplies_router)
api.add_router("", resumption_router)
api.add_router("", liaison_router)
api.add_router("", outreach_router)

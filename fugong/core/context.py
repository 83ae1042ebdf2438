"""The current request's actor and address, for audit rows written deep inside services."""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(frozen=True)
class RequestInfo:
    ip: str = ""
    path: str = ""
    via: str = "web"  # web | api | command | task


COMMAND = RequestInfo(via="command")  # frozen, so sharing it as the default is safe
current_request: ContextVar[RequestInfo] = ContextVar("fugong_request", default=COMMAND)

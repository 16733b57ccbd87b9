"""Errors as JSON `{"error": {"code", "message": {"zh", "en"}}}`; never a stack trace to the client.

The database out of reach (restarting, a network cut, no connection free within the pool's wait) is a 503 with
`Retry-After`, never a 500: the service answers again by itself once it is back, with no restart of the API.
"""

from __future__ import annotations

import logging

import psycopg
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from psycopg_pool import PoolTimeout
from sqlalchemy import exc as sqlalchemy_errors
from starlette.exceptions import HTTPException as StarletteHTTPException

from geo_api.guard import BodyTooLarge, too_large
from mujun.errors import MujunError

log = logging.getLogger("mujun.api")
RETRY_AFTER_S = 5
DATABASE_DOWN: tuple[type[Exception], ...] = (
    psycopg.OperationalError, psycopg.InterfaceError, PoolTimeout,
    sqlalchemy_errors.OperationalError, sqlalchemy_errors.InterfaceError, sqlalchemy_errors.TimeoutError,
)
"""What a database out of reach raises: through psycopg, its pools, or SQLAlchemy's."""


def _body(code: str, zh: str, en: str, **extra: object) -> dict[str, object]:
    return {"error": {"code": code, "message": {"zh": zh, "en": en}, **extra}}


async def _mujun_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, MujunError)
    return JSONResponse({"error": exc.public()}, status_code=exc.status_code, headers=getattr(exc, "headers", None))


async def _database_unavailable(request: Request, exc: Exception) -> JSONResponse:
    log.warning("database unavailable on %s %s: %s", request.method, request.url.path, str(exc).splitlines()[0] if str(exc) else type(exc).__name__)
    return JSONResponse(_body("database_unavailable", "数据库暂时无法访问或繁忙，请稍后再试",
                              "the database cannot be reached, or is too busy, for the moment; try again shortly"),
                        status_code=503, headers={"Retry-After": str(RETRY_AFTER_S)})


async def _validation_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    details = [
        {"field": ".".join(str(part) for part in error["loc"]), "problem": error["msg"]} for error in exc.errors()
    ]
    fields = "、".join(d["field"] for d in details)
    return JSONResponse(_body("invalid_request", f"请求参数有误：{fields}", f"invalid request parameters: {fields}",
                              details=details), status_code=422)


async def _http_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    if exc.status_code == 404:
        return JSONResponse(_body("not_found", "未找到该地址", "no such address"), status_code=404)
    return JSONResponse(_body("http_error", "请求无法处理", "the request cannot be handled"), status_code=exc.status_code)


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.exception("unexpected error on %s %s", request.method, request.url.path, exc_info=exc)
    return JSONResponse(_body("internal_error", "服务器内部错误，已记录，请稍后再试或联系管理员",
                              "internal server error; it has been logged, please try again or contact the administrator"),
                        status_code=500)


async def _body_too_large(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, BodyTooLarge)
    status, code, zh, en = too_large(exc.cap)
    return JSONResponse(_body(code, zh, en), status_code=status)


def install(app: FastAPI) -> None:
    app.add_exception_handler(MujunError, _mujun_error)
    app.add_exception_handler(BodyTooLarge, _body_too_large)
    for error in DATABASE_DOWN:
        app.add_exception_handler(error, _database_unavailable)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected)

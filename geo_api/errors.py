"""Errors as JSON `{"error": {"code", "message": {"zh", "en"}}}`; never a stack trace to the client."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from mujun.errors import MujunError

log = logging.getLogger("mujun.api")


def _body(code: str, zh: str, en: str, **extra: object) -> dict[str, object]:
    return {"error": {"code": code, "message": {"zh": zh, "en": en}, **extra}}


async def _mujun_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, MujunError)
    return JSONResponse({"error": exc.public()}, status_code=exc.status_code)


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


def install(app: FastAPI) -> None:
    app.add_exception_handler(MujunError, _mujun_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected)

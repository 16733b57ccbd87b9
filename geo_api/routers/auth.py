"""Signing in and out, and who the page is signed in as."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Cookie, Request, Response
from pydantic import BaseModel, Field

from geo_api.access import SESSION_COOKIE, Anyone, CanView, HttpError, Public, actor, client_address, is_https, unauthenticated
from geo_api.guard import NO_CONTROL_CHARACTERS
from mujun import accounts, audit
from mujun.access import Access, AccessPolicy, Via, abilities

router = APIRouter(prefix="/api/auth", tags=["auth"])



class SignInIn(BaseModel):
    username: str = Field(min_length=1, max_length=200, pattern=NO_CONTROL_CHARACTERS, examples=["wang.li"])
    password: str = Field(min_length=1, max_length=4096, pattern=NO_CONTROL_CHARACTERS)


class WhoOut(BaseModel):
    user: str | None = Field(description="the account; None for a request without credentials (MUJUN_ANONYMOUS_ROLE)")
    role: str | None = Field(description="viewer, analyst, editor or admin")
    jurisdictions: list[str] | None = Field(description="the districts (辖区) the account sees; None: every district")
    via: str = Field(description="session, token, print (the server's printing browser) or anonymous")
    may: dict[str, bool] = Field(description="each action (view, report, load, administer) and whether it is allowed")
    csrf_token: str | None = Field(description="for a session: send it as X-CSRF-Token on POST, PUT, PATCH and DELETE")
    expires_at: datetime | None = None


def _who(policy: AccessPolicy, access: Access, csrf_token: str | None, expires_at: datetime | None) -> WhoOut:
    return WhoOut(**access.as_json(), may=abilities(policy, access), csrf_token=csrf_token, expires_at=expires_at)


@router.post("/login", summary="Sign in with a name and password: a session cookie (HttpOnly, SameSite=Lax) and its CSRF token",
             response_model=WhoOut, responses={401: {"description": "wrong name or password"},
                                               429: {"description": "too many failed attempts for the name: see Retry-After"}})
def login(body: SignInIn, request: Request, response: Response, _: Public) -> WhoOut:
    gate = request.app.state.gate
    address = client_address(request)
    attempted = actor(request, Access(body.username[:200], None, None, Via.SESSION))
    with request.app.state.primary.connection() as conn:
        outcome = accounts.sign_in(conn, gate.policy, body.username, body.password, address)
        if outcome.retry_after_s is not None:
            audit.record(conn, attempted, audit.Event.SIGN_IN_LOCKED, {"retry_after_s": outcome.retry_after_s})
            conn.commit()
            minutes = -(-outcome.retry_after_s // 60)
            raise HttpError(f"登录失败次数过多，请 {minutes} 分钟后再试", f"too many failed sign-ins: try again in {minutes} minutes",
                            code="too_many_attempts", status_code=429, headers={"Retry-After": str(outcome.retry_after_s)})
        if outcome.account is None:
            audit.record(conn, attempted, audit.Event.SIGN_IN_FAILED, {})
            conn.commit()
            raise unauthenticated("用户名或密码错误", "wrong user name or password", code="invalid_credentials")
        accounts.forget_expired(conn, gate.policy)
        session = accounts.start_session(conn, gate.policy, outcome.account, address)
        access = outcome.account.access(Via.SESSION)
        audit.record(conn, actor(request, access), audit.Event.SIGN_IN, {})
    response.set_cookie(SESSION_COOKIE, session.key, max_age=int(gate.policy.session_lifetime.total_seconds()), path="/",
                        secure=is_https(request), httponly=True, samesite="lax")
    return _who(gate.policy, access, session.csrf_token, session.expires_at)


@router.post("/logout", summary="Sign out: the session ends on the server and its cookie is cleared", status_code=204,
             response_class=Response)
def logout(request: Request, access: Anyone,
           session: Annotated[str | None, Cookie(alias=SESSION_COOKIE, include_in_schema=False)] = None) -> Response:
    answer = Response(status_code=204)
    if session and access.via is Via.SESSION:
        with request.app.state.primary.connection() as conn:
            accounts.end_session(conn, session)
            audit.record(conn, actor(request, access), audit.Event.SIGN_OUT, {})
    answer.delete_cookie(SESSION_COOKIE, path="/", secure=is_https(request), httponly=True, samesite="lax")
    return answer


@router.get("/me", summary="Who is asking: user, role, districts, what they may do (and the session's CSRF token)", response_model=WhoOut)
def me(request: Request, access: CanView) -> WhoOut:
    credential: Any = getattr(request.state, "credential", None)
    csrf = credential.csrf_token if credential and access.via is not Via.PRINT else None  # a print pass only reads
    return _who(request.app.state.gate.policy, access, csrf, credential.expires_at if credential else None)

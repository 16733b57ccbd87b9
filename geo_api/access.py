"""Who is asking, and may they: the one dependency every route declares, and the `Access` it hands down.

How a route declares its rule and takes its scope (the whole pattern):

    from geo_api.access import CanView                     # or CanReport, CanLoad, CanAdminister, Anyone

    @router.get("/api/things/{code}", summary="…")
    def thing(code: str, conn: DB, access: CanView) -> dict[str, Any]:
        return things.by_code(conn, access, code)          # every layers/ query of parcels or projects takes it

- The annotation is the rule: `CanView` lets in whoever may `view` (viewer and up, or anonymous requests when
  `MUJUN_ANONYMOUS_ROLE` gives them a role), `CanReport` analysts and up (reports, exports, bulletins, prints),
  `CanLoad` editors and up, `CanAdminister` admins; `CanViewOrExport` is `view` for a route's JSON and `report`
  for its downloads (`format=xlsx|csv`) on one path; `Public` is for the few routes that never look at
  credentials (sign-in, health, the docs), `Anyone` for those open to all that still need to know who asks
  (sign-out). The least role of each action is policy data (`mujun/policies/access/default.yaml`).
- The value is an `mujun.access.Access`: user, role, districts (None: every district). Pass it whole to the
  query functions; they add the district condition (`mujun.scope`) so a record elsewhere is not found (404).
- Refusals: no or unknown credentials 401, a role short of the rule 403, a cookie-authenticated POST, PUT,
  PATCH or DELETE without its `X-CSRF-Token` 403 — all with the usual error body.
- Add the route to the access matrix (`tests/geo_api/test_access_matrix.py`): a route without a rule, or
  missing from the matrix, fails it.

Credentials: `Authorization: Bearer TOKEN` (scripts, QGIS, GDAL) or the page's session cookie (or a print pass, the
server's printing browser's cookie for one print: GET only, see `geo_api.pdf`). Each process
keeps what a token or session key stands for in memory while it listens to the database's `mujun_access`
channel (`geo_api.tile_cache.DataVersion`), which every change to an account, token or session notifies: a
revoked token stops working at once, and a request costs no query once its credential is known.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.routing import APIRoute
from fastapi.security import APIKeyCookie, HTTPAuthorizationCredentials, HTTPBearer
from psycopg_pool import AsyncConnectionPool
from starlette.routing import BaseRoute

from mujun import accounts, audit
from mujun.access import Access, AccessPolicy, Action, Refusal, Via, refusal, role_for
from mujun.accounts import Credential
from mujun.errors import MujunError

SESSION_COOKIE = "mujun_session"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset(("GET", "HEAD", "OPTIONS"))
CACHED_CREDENTIALS = 10_000

_BEARER = HTTPBearer(auto_error=False, description="a token from `mujun tokens create` (scripts, QGIS, GDAL)")
_COOKIE = APIKeyCookie(name=SESSION_COOKIE, auto_error=False,
                       description="the page's session, from POST /api/auth/login; unsafe methods also need X-CSRF-Token")


class HttpError(MujunError):
    """A refusal with HTTP headers of its own (`WWW-Authenticate`, `Retry-After`)."""

    def __init__(self, zh: str, en: str, *, code: str, status_code: int, headers: dict[str, str] | None = None) -> None:
        super().__init__(zh, en, code=code, status_code=status_code)
        self.headers = headers or {}


def unauthenticated(zh: str = "请先登录", en: str = "sign in first (or send Authorization: Bearer TOKEN)",
                    code: str = "unauthenticated") -> HttpError:
    return HttpError(zh, en, code=code, status_code=401, headers={"WWW-Authenticate": 'Bearer realm="mujun"'})


def forbidden(policy: AccessPolicy, action: Action) -> HttpError:
    role = role_for(policy, action).value
    return HttpError(f"权限不足：需要 {role} 或更高的角色", f"not allowed: this needs the {role} role or higher",
                     code="forbidden", status_code=403)


class CredentialCache:
    """What session keys and tokens stand for, kept only while the process listens for changes to them."""

    def __init__(self, listening: Callable[[], bool]) -> None:
        self._listening = listening
        self._known: OrderedDict[tuple[Via, str], Credential] = OrderedDict()

    def get(self, via: Via, secret_hash: str) -> Credential | None:
        if not self._listening():
            self._known.clear()
            return None
        found = self._known.get((via, secret_hash))
        if found is not None and found.expires_at <= datetime.now(UTC):
            del self._known[(via, secret_hash)]
            return None
        return found

    def put(self, via: Via, secret_hash: str, credential: Credential) -> None:
        if self._listening():
            self._known[(via, secret_hash)] = credential
            while len(self._known) > CACHED_CREDENTIALS:
                self._known.popitem(last=False)

    def clear(self) -> None:
        self._known.clear()


@dataclass
class Gate:
    """Everything a rule needs: the policy, what anonymous requests get, the credentials cache and the primary."""

    policy: AccessPolicy
    anonymous: Access
    credentials: CredentialCache
    primary: AsyncConnectionPool[Any]
    """Sessions and tokens are read on the primary: a session just made is there before any replica has it."""
    trust_proxy: bool

    async def credential(self, via: Via, secret: str) -> Credential | None:
        key = accounts.digest(secret)
        found = self.credentials.get(via, key)
        if found is None:
            async with self.primary.connection() as conn:
                found = await accounts.credential(conn, via, secret)
            if found is not None:
                self.credentials.put(via, key, found)
        return found


async def identify(request: Request, bearer: str | None, cookie: str | None) -> tuple[Access, Credential | None]:
    """Who sent the request: a token (which must be valid), else a live session, else an anonymous request."""
    if getattr(request.state, "access", None) is not None:
        return request.state.access, request.state.credential
    gate: Gate = request.app.state.gate
    credential: Credential | None = None
    if bearer is not None or request.headers.get("authorization"):
        if not bearer or len(bearer) > 200:
            raise unauthenticated("Authorization 应为 Bearer 令牌", "Authorization must be Bearer TOKEN", code="invalid_token")
        credential = await gate.credential(Via.TOKEN, bearer)
        if credential is None:
            raise unauthenticated("令牌无效、已过期或已撤销", "the token is unknown, expired or revoked", code="invalid_token")
    elif cookie and len(cookie) <= 200:
        credential = await gate.credential(Via.SESSION, cookie)
    access = credential.access if credential is not None else gate.anonymous
    request.state.access, request.state.credential = access, credential
    return access, credential


class Rule:
    """The dependency a route declares: who may call it (`action`; None: anyone). Returns the caller's `Access`.

    `identify` False: the credentials are not even looked at (routes that must answer while the database is
    down, or that take a name and password themselves). `downloads`: the action a download needs, on a route whose
    JSON view needs `action` and whose other formats (`format=xlsx`, `csv`, …) are downloads."""

    def __init__(self, action: Action | None, identify: bool = True, downloads: Action | None = None) -> None:
        self.action = action
        self.identify = identify
        self.downloads = downloads

    def action_for(self, request: Request) -> Action | None:
        """The action this request takes: a download's when the route has one and `format` asks for a file."""
        if self.downloads is not None and request.query_params.get("format", "json") != "json":
            return self.downloads
        return self.action

    async def __call__(self, request: Request,
                       bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(_BEARER)] = None,
                       cookie: Annotated[str | None, Depends(_COOKIE)] = None) -> Access:
        if not self.identify:
            nobody: Access = request.app.state.gate.anonymous
            return nobody
        access, credential = await identify(request, bearer.credentials if bearer else None, cookie)
        if credential is not None and access.via is Via.PRINT and request.method not in SAFE_METHODS:
            raise HttpError("打印凭证只能读取", "a print pass may only read", code="print_pass_read_only", status_code=403)
        if (credential is not None and credential.csrf_token is not None and request.method not in SAFE_METHODS
                and not credential.csrf_matches(request.headers.get(CSRF_HEADER))):
            raise HttpError(f"缺少或错误的 {CSRF_HEADER}：请刷新页面后重试", f"missing or wrong {CSRF_HEADER}: reload the page and try again",
                            code="csrf", status_code=403)
        policy: AccessPolicy = request.app.state.gate.policy
        action = self.action_for(request)
        why = refusal(policy, access, action)
        if why is Refusal.UNAUTHENTICATED:
            raise unauthenticated()
        if why is Refusal.FORBIDDEN:
            assert action is not None
            raise forbidden(policy, action)
        return access


# The annotations a route's access parameter takes: each is its rule.
Public = Annotated[Access, Depends(Rule(None, identify=False))]
Anyone = Annotated[Access, Depends(Rule(None))]
CanView = Annotated[Access, Depends(Rule(Action.VIEW))]
CanReport = Annotated[Access, Depends(Rule(Action.REPORT))]
CanLoad = Annotated[Access, Depends(Rule(Action.LOAD))]
CanAdminister = Annotated[Access, Depends(Rule(Action.ADMINISTER))]
CanViewOrExport = Annotated[Access, Depends(Rule(Action.VIEW, downloads=Action.REPORT))]
"""A list viewed in the page (JSON) by viewers and up, downloaded (`format=xlsx`, `csv`) by analysts and up, as every
export is: the progress of major projects, idle land, land supply, the evaluation of firms."""


def rule_of(dependant: Any) -> Rule | None:
    """The rule a route declares (its dependency tree searched)."""
    for dependency in dependant.dependencies:
        if isinstance(dependency.call, Rule):
            return dependency.call
        found = rule_of(dependency)
        if found is not None:
            return found
    return None


@dataclass(frozen=True)
class RouteRule:
    method: str
    path: str
    rule: Rule | None


def route_table(routes: Iterable[BaseRoute], prefix: str = "") -> Iterator[RouteRule | BaseRoute]:
    """Every API route of the app with the rule it declares (None: none, a defect), read from the app's own route
    table (included routers walked through); other routes (static mounts, /openapi.json) as they are."""
    for route in routes:
        included = getattr(route, "original_router", None)
        if included is not None:
            yield from route_table(included.routes, prefix + getattr(route.include_context, "prefix", ""))  # type: ignore[attr-defined]
        elif isinstance(route, APIRoute):
            rule = rule_of(route.dependant)
            for method in sorted(route.methods or ()):
                yield RouteRule(method, prefix + route.path, rule)
        else:
            yield route


# ---- where a request comes from, and recording it --------------------------------------------------


def client_address(request: Request) -> str | None:
    """The client's address: the proxy's X-Forwarded-For (its last hop) only when configured to trust a proxy."""
    if request.app.state.gate.trust_proxy:
        forwarded = request.headers.get("x-forwarded-for", "")
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if hops:
            return hops[-1][:100]
    return request.client.host if request.client else None


def is_https(request: Request) -> bool:
    """Whether the browser reached us over TLS (directly, or through a trusted proxy that says so)."""
    if request.url.scheme == "https":
        return True
    return bool(request.app.state.gate.trust_proxy and request.headers.get("x-forwarded-proto", "").lower() == "https")


def actor(request: Request, access: Access) -> audit.Actor:
    return audit.Actor(access, client_address(request))


def record(request: Request, access: Access, event: audit.Event, detail: dict[str, Any]) -> None:
    """An audit entry for this request, on the primary, committed now. Blocking: call it from a sync route. What the
    printing browser asks for with its pass (`Via.PRINT`) is part of the print, recorded once by the route that printed."""
    if access.via is Via.PRINT:
        return
    with request.app.state.primary.connection() as conn:
        audit.record(conn, actor(request, access), event, detail)

"""Remote base-map tiles fetched by the portal for the browser, with an in-process cache bounded in bytes.

The URL of a remote tile may hold a key (Tianditu's `tk`): it is used here and nowhere else. It never goes into
an error message, a log line or a response; a failure names the base map and the tile instead.
"""

from __future__ import annotations

import logging
import threading
import urllib.error
import urllib.request
from collections import OrderedDict

from mujun.errors import MujunError

log = logging.getLogger("mujun.basemaps")

USER_AGENT = "Mujun/0.1 (base-map proxy)"
MISSING = b""
"""Cached for a tile the source does not have (404), so that it is not asked again and again."""


class BasemapUnavailable(MujunError):
    status_code = 502
    code = "basemap_unavailable"


class UpstreamTiles:
    """Fetch tiles by URL; the least recently used dropped first once over `max_bytes`."""

    def __init__(self, max_bytes: int, timeout_s: float) -> None:
        self.max_bytes = max_bytes
        self.timeout_s = timeout_s
        self.size = 0
        self._tiles: OrderedDict[str, bytes] = OrderedDict()
        self._lock = threading.Lock()
        self._opener = urllib.request.build_opener()  # the environment's proxies, as an intranet server may need

    def _cached(self, url: str) -> bytes | None:
        with self._lock:
            data = self._tiles.get(url)
            if data is not None:
                self._tiles.move_to_end(url)
            return data

    def _keep(self, url: str, data: bytes) -> None:
        with self._lock:
            if url in self._tiles or len(data) > self.max_bytes:
                return
            self._tiles[url] = data
            self.size += len(data)
            while self.size > self.max_bytes:
                _, dropped = self._tiles.popitem(last=False)
                self.size -= len(dropped)

    def get(self, url: str, what: str) -> bytes | None:
        """The tile's bytes, or None where the source has none; `what` names it in errors (never the URL)."""
        data = self._cached(url)
        if data is None:
            data = self._fetch(url, what)
            self._keep(url, data)
        return data or None

    def _fetch(self, url: str, what: str) -> bytes:
        request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
        try:
            with self._opener.open(request, timeout=self.timeout_s) as response:
                return bytes(response.read())
        except urllib.error.HTTPError as exc:
            if exc.code in (204, 404):
                return MISSING
            log.warning("base map %s: the source answered HTTP %s", what, exc.code)
            raise BasemapUnavailable(f"底图服务返回错误（{what}，HTTP {exc.code}）",
                                     f"the base-map service answered with an error ({what}, HTTP {exc.code})") from None
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            reason = type(getattr(exc, "reason", exc)).__name__
            log.warning("base map %s: the source cannot be reached (%s)", what, reason)
            raise BasemapUnavailable(f"无法访问底图服务（{what}）", f"the base-map service cannot be reached ({what})") from None

    def clear(self) -> None:
        with self._lock:
            self._tiles.clear()
            self.size = 0

"""Limits on files taken in (uploads and loads): a size cap, and zips read in place only once they are safe.

A zip is never extracted: GDAL reads it through /vsizip/. Before that its listing is checked (no member
outside the archive, no links, not too many members) and every member is decompressed once into nothing,
counting bytes, so a zip bomb is caught by what it really holds, not by the sizes its header claims.
"""

from __future__ import annotations

import re
import stat
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from mujun.errors import InputError, MujunError, Problem

MB = 1024 * 1024


@dataclass(frozen=True)
class FileLimits:
    max_bytes: int
    max_unzipped_bytes: int
    max_members: int
    max_ratio: int
    """Largest uncompressed ÷ compressed size of one member: text and DBF padding reach ~100, bombs ~1000s."""


UPLOAD_LIMITS = FileLimits(max_bytes=20 * MB, max_unzipped_bytes=50 * MB, max_members=50, max_ratio=200)
LOAD_LIMITS = FileLimits(max_bytes=4096 * MB, max_unzipped_bytes=8192 * MB, max_members=5000, max_ratio=200)


_FILE_NAME = re.compile(r"[^\x00-\x1f\x7f/\\]{1,255}")


def safe_file_name(given: str | None) -> str:
    """An uploaded file's own name (no folder), refused when it holds control characters or is too long: it is
    shown back and recorded, and a NUL in it would end a path."""
    name = (given or "upload").replace("\\", "/").rsplit("/", 1)[-1] or "upload"
    if not _FILE_NAME.fullmatch(name):
        raise MujunError("文件名过长或含有控制字符", "the file name is too long or holds control characters", code="invalid_file_name",
                         status_code=400)
    return name


def refused(name: str, zh: str, en: str, value: str | None = None) -> InputError:
    return InputError([Problem(name, "文件 file", None, value, zh, en)])


def _size_text(size: int) -> str:
    return f"{size / MB:.0f} MB" if size >= MB else f"{size} bytes"


def check_size(path: Path, name: str, limits: FileLimits) -> None:
    """Refuse a file (or a folder such as a FileGDB, counted whole) larger than the cap."""
    size = sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) if path.is_dir() else path.stat().st_size
    if size > limits.max_bytes:
        cap = _size_text(limits.max_bytes)
        raise refused(name, f"文件过大（{_size_text(size)}，上限 {cap}）", f"the file is too large ({_size_text(size)}; the cap is {cap})",
                      str(size))


def _unsafe(member: zipfile.ZipInfo) -> bool:
    parts = PurePosixPath(member.filename.replace("\\", "/")).parts
    is_link = stat.S_ISLNK(member.external_attr >> 16)
    return member.filename.startswith(("/", "\\")) or ".." in parts or (parts and ":" in parts[0]) or is_link


def check_zip(path: Path, name: str, limits: FileLimits) -> list[str]:
    """The names of a safe zip's members; refuses traversal, links, too many members and bombs."""
    check_size(path, name, limits)
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
            if len(members) > limits.max_members:
                raise refused(name, f"压缩包内文件过多（超过 {limits.max_members} 个）",
                              f"too many files in the archive (over {limits.max_members})", str(len(members)))
            for member in members:
                if _unsafe(member):
                    raise refused(name, "压缩包内含有不安全的路径（绝对路径、.. 或链接）",
                                  "the archive holds an unsafe path (absolute, .. or a link)", member.filename)
            total = 0
            for member in members:
                if member.is_dir():
                    continue
                read = 0
                with archive.open(member) as stream:
                    while block := stream.read(MB):
                        read += len(block)
                        total += len(block)
                        if total > limits.max_unzipped_bytes or read > limits.max_ratio * max(member.compress_size, MB):
                            cap = _size_text(limits.max_unzipped_bytes)
                            raise refused(name, f"压缩包解压后过大或压缩比异常（上限 {cap}，压缩比 {limits.max_ratio}）",
                                          f"the archive unzips too large or too compressed (cap {cap}, ratio {limits.max_ratio}): "
                                          "a zip bomb is refused", member.filename)
            return [m.filename for m in members if not m.is_dir()]
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError) as exc:
        raise refused(name, f"不是有效的 zip 文件：{exc}", f"not a valid zip file: {exc}") from exc

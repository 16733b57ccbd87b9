"""The text encoding of a Shapefile's DBF: `.cpg`, else the code-page byte, else what the bytes show.

Old desktop GIS on Chinese Windows writes GBK with no `.cpg` and a code-page byte (LDID, offset 29) of 0
or 0x57 ("ANSI": the writing machine's code page, which says nothing here). GDAL then falls back to
ISO-8859-1 and both field names and values come out garbled, so the encoding is decided here and given
to GDAL explicitly (its ENCODING open option, which recodes names and values alike).
"""

from __future__ import annotations

import codecs

# LDIDs as GDAL's Shapefile driver maps them; 0x57 is deliberately absent (see above).
LDID_ENCODINGS = {
    0x01: "CP437", 0x02: "CP850", 0x03: "CP1252", 0x4D: "CP936", 0x4E: "CP949", 0x4F: "CP950", 0x7A: "CP936",
    0x7B: "CP932", 0x7C: "CP874", 0x7D: "CP1255", 0x7E: "CP1256", 0xC8: "CP1250", 0xC9: "CP1251", 0xCA: "CP1254",
    0xCB: "CP1253",
}
CHINESE_CODE_PAGES = {"CP936": "GB18030", "936": "GB18030", "GBK": "GB18030", "GB2312": "GB18030", "GB18030": "GB18030"}
SAMPLE_BYTES = 4 * 1024 * 1024


def _from_cpg(text: str) -> str:
    """A .cpg holds a code page number (936, 65001) or a name (UTF-8, GBK)."""
    value = text.strip().upper()
    if value in ("65001", "UTF8", "UTF-8"):
        return "UTF-8"
    if value in CHINESE_CODE_PAGES:
        return CHINESE_CODE_PAGES[value]  # GB18030 is a superset of GBK and GB2312: it reads them all
    return f"CP{value}" if value.isdigit() else value


def dbf_text_bytes(dbf: bytes) -> bytes:
    """The field names and the record bytes of the start of a DBF (numbers and padding included)."""
    if len(dbf) < 32:
        return b""
    header_length = int.from_bytes(dbf[8:10], "little")
    names = b"".join(dbf[offset:offset + 11].split(b"\0", 1)[0]
                     for offset in range(32, min(header_length, len(dbf)) - 31, 32) if dbf[offset] != 0x0D)
    return names + dbf[header_length:]


def _detected(dbf: bytes) -> tuple[str, str]:
    text = dbf_text_bytes(dbf)
    if text.isascii():
        return "UTF-8", "plain ASCII text, read as UTF-8 / 纯 ASCII 文本，按 UTF-8 读取"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(text, final=False)  # a sample may end mid-character
    except UnicodeDecodeError:
        return "GB18030", "GBK/GB18030 detected (the text is not valid UTF-8) / 检测为 GBK/GB18030（文本不是有效的 UTF-8）"
    return "UTF-8", "UTF-8 detected / 检测为 UTF-8"


def shapefile_encoding(name: str, dbf: bytes, cpg: str | None, override: str | None) -> tuple[str, str]:
    """(encoding for GDAL, the inference in words) for the Shapefile `name`, its DBF's first bytes and .cpg."""
    if override:
        return override, f"{name}: encoding {override} as given (--encoding) / 编码按指定的 {override} 读取"
    if cpg is not None and cpg.strip():
        encoding = _from_cpg(cpg)
        return encoding, f"{name}: encoding {encoding} from its .cpg ({cpg.strip()}) / 编码取自 .cpg 文件"
    ldid = dbf[29] if len(dbf) > 29 else 0
    if ldid in LDID_ENCODINGS:
        encoding = CHINESE_CODE_PAGES.get(LDID_ENCODINGS[ldid], LDID_ENCODINGS[ldid])
        return encoding, (f"{name}: encoding {encoding} from the DBF code-page byte 0x{ldid:02X} (no .cpg) / "
                          f"编码取自 DBF 代码页字节 0x{ldid:02X}（无 .cpg）")
    encoding, how = _detected(dbf)
    return encoding, f"{name}: no .cpg, code-page byte 0x{ldid:02X}: {how}"

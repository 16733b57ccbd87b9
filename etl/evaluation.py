"""Firms' figures for the per-mu evaluation (`mujun load --evaluation F`, an Excel or CSV table, one row per firm and year).

Each row: 企业名称 and 年度 and 所属地区 (required; the district one of the policy's), 统一社会信用代码 (18 characters with its
check character, GB 32100-2015), 用地面积(亩), 税收, 销售收入, 工业增加值, 研发经费 (万元; 亿元 or 元 in the header convert),
综合能耗 (吨标准煤), 主要污染物排放量 (吨), 年平均职工人数, 投产日期. Refused, each with its row, field and value: a missing
enterprise, year or district, a year out of range, an unknown district, a malformed credit code, a negative or
non-numeric figure, a bad date, and the same firm (its credit code, else its name) twice in one year of the file.
A firm-year already stored is updated (keyed by the credit code, else the enterprise name).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import psycopg
from psycopg import sql
from psycopg.types.json import Jsonb

from etl.check import Checked, Rows, texts_of
from etl.fields import EVALUATION_FIELDS
from etl.project_lists import FIRST_YEAR, LAST_YEAR
from etl.read import TableSource
from mujun.evaluation import SCALE
from mujun.rules import Policy

CREDIT_CHARACTERS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
AMOUNTS = {  # field → (column, unit in Chinese, in English)
    "land_mu": ("land_mu", "亩", "mu"), "tax": ("tax_wan", "万元", "10,000 CNY"), "sales": ("sales_wan", "万元", "10,000 CNY"),
    "value_added": ("value_added_wan", "万元", "10,000 CNY"), "energy_tce": ("energy_tce", "吨标准煤", "tonnes of coal equivalent"),
    "emissions_t": ("emissions_t", "吨", "tonnes"), "employees": ("employees", "人", "people"), "rnd": ("rnd_wan", "万元", "10,000 CNY"),
}
QUANTUM = Decimal(1) / SCALE


def credit_code_problem(code: str) -> tuple[str, str] | None:
    """Why `code` is no 统一社会信用代码 (18 characters of 0–9 and capitals without I, O, S, V, Z; the last a check
    character of the first 17, GB 32100-2015), or None."""
    if len(code) != 18 or any(c not in CREDIT_CHARACTERS for c in code):
        return ("应为 18 位统一社会信用代码（数字与大写字母，不含 I、O、S、V、Z）",
                "expected an 18-character unified social credit code (digits and capitals, no I, O, S, V or Z)")
    total = sum(CREDIT_CHARACTERS.index(c) * w for c, w in zip(code[:17], CREDIT_WEIGHTS, strict=True))
    check = CREDIT_CHARACTERS[(31 - total % 31) % 31]
    if code[17] != check:
        return (f"校验位不符（按前 17 位应为 {check}）", f"the check character does not match (the first 17 give {check})")
    return None


def _year(rows: Rows, i: int) -> int | None:
    text = rows.text(i, "year")
    if text is None:
        if "year" in rows.match.fields:
            rows.error(i, "year", None, "不能为空", "must not be empty")
        return None
    digits = text.removesuffix("年").strip()
    if digits.isdigit() and FIRST_YEAR <= int(digits) <= LAST_YEAR:
        return int(digits)
    rows.error(i, "year", text, f"应为年份（{FIRST_YEAR}–{LAST_YEAR}），如 2023", f"expected a year ({FIRST_YEAR}–{LAST_YEAR}), such as 2023")
    return None


def check_evaluation(source: TableSource, policy: Policy) -> Checked:
    """Every row checked on its own and against the file's other rows."""
    checked = Checked("evaluation", source.path.name, [], warnings=list(source.warnings), inferences=list(source.inferences),
                      locate=source.row)
    n = len(source)
    rows = Rows(checked, source.columns, EVALUATION_FIELDS, checked.locate)
    enterprises = texts_of(rows, "enterprise", n, required=True)
    credit = texts_of(rows, "credit_code", n)
    districts = texts_of(rows, "jurisdiction", n, required=True)
    years: list[int | None] = [None] * n
    amounts: dict[str, list[Decimal | None]] = {column: [None] * n for column, _, _ in AMOUNTS.values()}
    dates: list[dt.date | None] = [None] * n
    seen: dict[tuple[int, str], int] = {}
    for i in range(n):  # a row at a time, so that its problems are listed in the order of the rows
        years[i] = _year(rows, i)
        if credit[i] is not None:
            credit[i] = credit[i].upper()
            problem = credit_code_problem(credit[i])
            if problem is not None:
                rows.error(i, "credit_code", credit[i], *problem)
        if districts[i] is not None and districts[i] not in policy.jurisdictions:
            rows.error(i, "jurisdiction", districts[i], f"不在政策 {policy.code} 的辖区中：{'、'.join(policy.jurisdictions)}",
                       f"not a jurisdiction of policy {policy.code}: {', '.join(policy.jurisdictions)}")
        for name, (column, unit_zh, unit_en) in AMOUNTS.items():
            amount = rows.amount(i, name, unit_zh, unit_en)
            amounts[column][i] = None if amount is None else amount.quantize(QUANTUM)
        dates[i] = rows.date(i, "production_date")
        key = credit[i] or enterprises[i]
        year = years[i]
        if key is not None and year is not None:
            first = seen.setdefault((year, key), i)
            if first != i:
                rows.error(i, "credit_code" if credit[i] else "enterprise", key,
                           f"同一企业同一年度在文件中出现两次（与{checked.locate(first)}相同）",
                           f"the same firm and year twice in the file (as {checked.locate(first)})")
    checked.columns = {
        "enterprise": enterprises, "credit_code": credit, "jurisdiction": districts, "year": years, **amounts,
        "production_date": dates, "attributes": [rows.extra(i) for i in range(n)] if rows.match.extra else [None] * n,
    }
    return checked


COLUMNS = ("year", "firm_key", "enterprise", "credit_code", "jurisdiction", *(column for column, _, _ in AMOUNTS.values()),
           "production_date", "attributes", "load_id")
COMPARED = tuple(name for name in COLUMNS if name not in ("year", "firm_key", "load_id"))


def _names(names: tuple[str, ...], prefix: str | None = None) -> sql.Composable:
    return sql.SQL(", ").join(sql.Identifier(prefix, name) if prefix else sql.Identifier(name) for name in names)


UPSERT = sql.SQL(
    "INSERT INTO firm_figures AS f ({columns}) SELECT {columns} FROM stage_firm_figures "
    "ON CONFLICT (year, firm_key) DO UPDATE SET ({updated}) = ROW({excluded}) "
    "WHERE ({current}) IS DISTINCT FROM ({new}) RETURNING (xmax = 0)"
).format(columns=_names(COLUMNS), updated=_names((*COMPARED, "load_id")), excluded=_names((*COMPARED, "load_id"), "excluded"),
         current=_names(COMPARED, "f"), new=_names(COMPARED, "excluded"))
"""A firm-year stored with other figures takes the file's, and the load's id; one stored as it is changes nothing."""


def write_evaluation(conn: psycopg.Connection[Any], evaluation: Checked, load_id: int) -> dict[str, int]:
    """The file's firm-years inserted, or updated where stored (by year and credit code, else name)."""
    c = evaluation.columns
    conn.execute("CREATE TEMP TABLE stage_firm_figures (LIKE firm_figures INCLUDING DEFAULTS) ON COMMIT DROP")
    with conn.cursor().copy(sql.SQL("COPY stage_firm_figures ({}) FROM STDIN").format(_names(COLUMNS))) as copy:
        for i in range(evaluation.count):
            copy.write_row((c["year"][i], c["credit_code"][i] or c["enterprise"][i], c["enterprise"][i], c["credit_code"][i],
                            c["jurisdiction"][i], *(c[column][i] for column, _, _ in AMOUNTS.values()), c["production_date"][i],
                            Jsonb(c["attributes"][i] or {}), load_id))
    changed = conn.execute(UPSERT).fetchall()
    inserted = sum(1 for (was_inserted,) in changed if was_inserted)
    return {"read": evaluation.count, "inserted": inserted, "updated": len(changed) - inserted,
            "unchanged": evaluation.count - len(changed)}

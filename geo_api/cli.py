"""The `mujun` command line: db up/stop, check, load, loads, bulletin, serve, demo; users, tokens and audit
(`geo_api.cli_access`).

Imported here is what every command needs; what only some need (the ETL and its readers, the policy,
SQLAlchemy's ORM, Alembic, uvicorn) is imported inside them, so that `--help` and the start of a load
do not pay for the rest.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from geo_api.cli_access import audit_command, cli_user_actor, connection, shell_actor, tokens_app, users_app
from mujun.db import database_url, ensure_schema, make_engine, upgrade
from mujun.errors import InputError, MujunError, Problem
from mujun.localdb import LocalDatabaseError, place_cluster, stop_clusters
from mujun.settings import PROJECT_ROOT, Settings

if TYPE_CHECKING:
    from etl.load import LoadRequest, LoadResult
    from etl.read import ReadOptions
    from mujun.audit import Actor

app = typer.Typer(help="亩均 Mujun: industrial land investment intensity portal.", no_args_is_help=True)
db_app = typer.Typer(help="The database: create, upgrade, stop the local one.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(users_app, name="users")
app.add_typer(tokens_app, name="tokens")
app.command("audit")(audit_command)
console = Console()
err = Console(stderr=True)

SAMPLE = PROJECT_ROOT / "sample_geo"

FileOption = Annotated[Path | None, typer.Option(exists=False, help="file to load (a FileGDB is a folder)")]
LayerOption = Annotated[list[str] | None, typer.Option(
    "--layer", help="layer (GeoPackage, FileGDB, KML, zip), CAD layer (DXF) or sheet (Excel): NAME for every file, or KIND=NAME")]
EncodingOption = Annotated[str | None, typer.Option(help="Shapefile text encoding, e.g. GBK or UTF-8 (default: .cpg, code page, detected)")]
CrsOption = Annotated[str | None, typer.Option("--crs", help="the coordinates' CRS, e.g. EPSG:4549, over what the file declares")]
FromOption = Annotated[str | None, typer.Option("--from", help="gcj02: coordinates from Gaode/Tencent maps, converted to WGS84")]
MappingOption = Annotated[Path | None, typer.Option("--mapping", help="field-mapping YAML: header → field, per kind")]
ReplaceOption = Annotated[list[str] | None, typer.Option(
    "--replace", help="KIND (zones, parcels, projects, constraints, batches): stored rows of that layer missing from its file are deleted")]
KINDS = ("zones", "parcels", "projects", "constraints", "batches")
FILE_KINDS = (*KINDS, "monthly", "evaluation")
"""Every kind of file a load reads; monthly reports and firms' figures are never replaced whole (a report supersedes one
month's, a firm's figures that firm's of the year)."""
KIND_NAMES = {"zones": "园区", "parcels": "宗地", "projects": "项目", "constraints": "约束", "monthly": "月报", "batches": "批次",
              "evaluation": "企业亩均"}


class Lang(StrEnum):
    zh = "zh"
    en = "en"


LangOption = Annotated[Lang, typer.Option("--lang", help="language of what is printed: zh (Chinese, the default) or en")]
VerboseOption = Annotated[bool, typer.Option("--verbose", help="print every warning, not the first few of each kind")]


def _replaced(kinds: list[str] | None) -> frozenset[str]:
    unknown = [k for k in kinds or [] if k not in KINDS]
    if unknown:
        raise _fail(f"--replace 应为 {'、'.join(KINDS)}（得到 {'、'.join(unknown)}）", f"--replace takes {', '.join(KINDS)} (got {', '.join(unknown)})")
    return frozenset(kinds or [])


def _fail(zh: str, en: str) -> typer.Exit:
    err.print(f"[bold red]✗[/] {zh}\n  {en}")
    return typer.Exit(code=1)


def _url(settings: Settings) -> str:
    try:
        return database_url(settings.database)
    except LocalDatabaseError as exc:
        raise _fail("无法启动本地数据库", str(exc)) from exc


@db_app.command("up")
def db_up() -> None:
    """Create or upgrade the schema (starting the local PostGIS when no DATABASE_URL is set)."""
    settings = Settings()
    url = _url(settings)
    upgrade(url)
    where = "" if settings.database.url else f" (local cluster in {place_cluster(settings.database.local_dir, PROJECT_ROOT).directory})"
    console.print(f"[green]✓[/] schema is current on {make_engine(url).url.render_as_string(hide_password=True)}{where}")


@db_app.command("stop")
def db_stop() -> None:
    """Stop the project's local PostgreSQL (under .var/, or where it was placed), if it runs."""
    try:
        stopped = stop_clusters(Settings().database.local_dir, PROJECT_ROOT)
    except LocalDatabaseError as exc:
        raise _fail("无法停止本地数据库", str(exc)) from exc
    for directory in stopped:
        console.print(f"[green]✓[/] local database stopped ({directory})")
    if not stopped:
        console.print("local database was not running")


SHOWN_ERRORS = 200


def _print_problems(exc: InputError, lang: str) -> None:
    """Every problem that refused the input (up to SHOWN_ERRORS of them), in a table in `lang`."""
    zh = lang == "zh"
    table = Table(title="无法载入" if zh else "load refused", show_lines=False)
    for column in ("文件", "位置", "字段", "值", "问题") if zh else ("file", "where", "field", "value", "problem"):
        table.add_column(column, overflow="fold")
    for problem in exc.problems[:SHOWN_ERRORS]:
        table.add_row(problem.file, problem.location, problem.field or "", problem.value or "",
                      problem.expected_zh if zh else problem.expected_en)
    err.print(table)
    if len(exc.problems) > SHOWN_ERRORS:
        more = len(exc.problems) - SHOWN_ERRORS
        err.print(f"… 另有 {more:,} 处（mujun check 同样的文件 --xlsx 文件.xlsx 列出全部）" if zh
                  else f"… and {more:,} more (mujun check of the same files with --xlsx FILE.xlsx lists them all)")


def _read_options(settings: Settings, layer: list[str] | None, encoding: str | None, crs: str | None, source: str | None,
                  mapping: Path | None, lang: str) -> dict[str, ReadOptions]:
    """Read options for each kind from the command line; refuses a contradiction before anything is read."""
    from etl.mapping import load_mapping
    from etl.read import ReadOptions

    if crs and source:
        raise _fail("--crs 与 --from 只能给出一个", "give either --crs or --from, not both")
    if source is not None and source.strip().lower().replace("-", "") != "gcj02":
        raise _fail(f"--from 只接受 gcj02（得到 {source}）", f"--from takes gcj02 only (got {source})")
    try:
        field_mapping = load_mapping(mapping) if mapping is not None else None
    except InputError as exc:
        _print_problems(exc, lang)
        raise _fail("字段映射文件有误", "the field-mapping file is wrong") from exc
    layers: dict[str | None, str] = {}
    for given in layer or []:
        kind, _, name = given.partition("=")
        if name and kind in FILE_KINDS:
            layers[kind] = name
        else:
            layers[None] = given
    return {kind: ReadOptions(layer=layers.get(kind, layers.get(None)), encoding=encoding, source_crs=crs or source,
                              central_meridian=settings.rules.gk_central_meridian, mapping=field_mapping)
            for kind in (*FILE_KINDS, "any")}


UserOption = Annotated[str | None, typer.Option(
    "--user", envvar="MUJUN_USER", help="the account the load runs as (an editor or admin; its districts apply); "
    "default: the machine's user, unscoped")]


def run_load(settings: Settings, request: LoadRequest, actor: Actor, lang: str = "zh", verbose: bool = False) -> None:
    """Load as `actor` with a progress bar, then what was read and written and the warnings by kind (every one if `verbose`)."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    from etl.load import libpq_conninfo, load
    from mujun.policy import PolicyNotFound, load_policy

    try:
        policy = load_policy(settings.rules.policy)
    except PolicyNotFound as exc:
        raise _fail("找不到政策", str(exc)) from exc
    url = _url(settings)
    ensure_schema(url)
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=console) as bar:
        task = bar.add_task("load", total=None)
        rows = bar.add_task("rows", total=None, visible=False)

        def step(name: str) -> None:
            bar.update(task, description=name, advance=1)

        def progress(name: str, done: int, total: int) -> None:  # rows written of a long COPY
            bar.update(rows, description=name, completed=done, total=total, visible=True)

        try:
            result = load(libpq_conninfo(url), request, policy, settings.rules, step, progress, actor=actor)
        except MujunError as exc:
            bar.stop()
            if not isinstance(exc, InputError):
                raise _fail(exc.zh, exc.en) from exc
            _print_problems(exc, lang)
            raise _fail("未载入任何数据：数据库保持不变", "nothing was loaded: the database is unchanged") from exc
    _print_loaded(result, policy.name, lang, verbose)


def _print_loaded(result: LoadResult, policy_name: str, lang: str, verbose: bool) -> None:
    from etl.warning_summary import EXAMPLES, print_warnings

    zh = lang == "zh"
    console.print(Text(f"载入 #{result.load_id} · {policy_name}" if zh else f"load #{result.load_id} · {policy_name}", style="bold"))
    table = Table()
    files = {kind: counts for kind, counts in result.counts.items() if "read" in counts}
    shown = ["read", "inserted", "updated", "unchanged"] + (["deleted"] if any("deleted" in c for c in files.values()) else [])
    names = {"read": "读取", "inserted": "新增", "updated": "更新", "unchanged": "未变", "deleted": "删除"}
    for column in ["", *shown]:
        table.add_column(names.get(column, column) if zh else column, justify="left" if not column else "right")
    for kind, counts in files.items():
        table.add_row(KIND_NAMES[kind] if zh else kind, *(f"{counts.get(k, 0):,}" for k in shown))
    console.print(table)
    changed = result.counts["assessed"]["changed"]
    console.print(f"规则结果有变的宗地：{changed:,} 宗" if zh else f"rule results changed on {changed:,} parcels")
    if "project_plans" in result.counts:
        plans, changes = result.counts["project_plans"]["written"], result.counts["project_changes"]["recorded"]
        console.print(f"年度计划：{plans:,} 项；阶段、日期与计划的变更：{changes:,} 处" if zh else
                      f"plans for a year: {plans:,}; changes of stage, date or plan recorded: {changes:,}")
    for inference in result.inferences:
        console.print(Text.assemble(("i ", "cyan"), inference))
    if not result.warnings or not print_warnings(console, result.warnings, lang, None if verbose else EXAMPLES):
        return
    kept = result.counts["warnings"]["recorded"]
    history = "" if kept == len(result.warnings) else (f"（载入记录保留前 {kept:,} 条）" if zh else f" (the load history keeps the first {kept:,})")
    console.print(f"完整列表：mujun loads --warnings {result.load_id}{history}，或对同样的文件运行 mujun check --xlsx 文件.xlsx；"
                  "加 --verbose 全部打印" if zh else
                  f"the full list: mujun loads --warnings {result.load_id}{history}, or mujun check of the same files with "
                  "--xlsx FILE.xlsx; --verbose prints every one", highlight=False)


MonthlyOption = Annotated[Path | None, typer.Option(help="monthly reports of major projects (Excel or CSV)")]
BatchesOption = Annotated[Path | None, typer.Option(help="approval batches (批次), a GIS file")]
EvaluationOption = Annotated[Path | None, typer.Option(help="firms' figures for the per-mu evaluation (Excel or CSV)")]


@app.command("load")
def load_command(
    zones: FileOption = None, parcels: FileOption = None, projects: FileOption = None, constraints: FileOption = None,
    monthly: MonthlyOption = None, batches: BatchesOption = None, evaluation: EvaluationOption = None,
    layer: LayerOption = None, encoding: EncodingOption = None, crs: CrsOption = None, source: FromOption = None,
    mapping: MappingOption = None, replace: ReplaceOption = None, user: UserOption = None, lang: LangOption = Lang.zh,
    verbose: VerboseOption = False,
) -> None:
    """Load zones, parcels, projects, monthly reports, constraint layers (三区三线), approval batches and/or firms' figures,
    all or nothing."""
    from etl.load import LoadRequest

    settings = Settings()
    request = LoadRequest(zones=zones, parcels=parcels, projects=projects, constraints=constraints, monthly=monthly,
                          batches=batches, evaluation=evaluation,
                          read_options=_read_options(settings, layer, encoding, crs, source, mapping, lang), replace=_replaced(replace))
    if not request.files():
        raise _fail("请至少给出一个文件", "give at least one of --zones, --parcels, --projects, --constraints, --monthly, --batches, "
                    "--evaluation")
    run_load(settings, request, cli_user_actor(user) if user else shell_actor(), lang, verbose)


def _check_requests(files: list[Path], named: dict[str, Path | None], options: dict[str, ReadOptions], replaced: frozenset[str],
                    refused: list[Problem], inferences: list[str]) -> list[LoadRequest]:
    """Files named by kind, and positional files whose kind is told from their fields, as few requests as can hold them."""
    from etl.kinds import kind_of
    from etl.load import LoadRequest

    pairs = [(kind, path) for kind, path in named.items() if path is not None]
    for path in files:
        try:
            kind, why = kind_of(path, options["any"])
        except InputError as exc:
            refused += exc.problems
            continue
        inferences.append(why)
        pairs.append((kind, path))
    requests: list[dict[str, Path]] = []
    for kind, path in pairs:
        target = next((r for r in requests if kind not in r), None)
        if target is None:
            target = {}
            requests.append(target)
        target[kind] = path
    return [LoadRequest(zones=paths.get("zones"), parcels=paths.get("parcels"), projects=paths.get("projects"),
                        constraints=paths.get("constraints"), monthly=paths.get("monthly"), batches=paths.get("batches"),
                        evaluation=paths.get("evaluation"), read_options=options, replace=replaced)
            for paths in requests]


@app.command("check")
def check_command(
    files: Annotated[list[Path] | None, typer.Argument(help="files whose kind is told from their fields")] = None,
    zones: FileOption = None, parcels: FileOption = None, projects: FileOption = None, constraints: FileOption = None,
    monthly: MonthlyOption = None, batches: BatchesOption = None, evaluation: EvaluationOption = None,
    layer: LayerOption = None, encoding: EncodingOption = None, crs: CrsOption = None, source: FromOption = None,
    mapping: MappingOption = None, replace: ReplaceOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="one JSON document on stdout")] = False,
    xlsx: Annotated[Path | None, typer.Option("--xlsx", help="write the report for officials as .xlsx")] = None,
    offline: Annotated[bool, typer.Option("--offline", help="check the files alone, not against the database")] = False,
    lang: LangOption = Lang.zh, verbose: VerboseOption = False,
) -> None:
    """Check files without loading them: every error and warning, and what was inferred; exit 1 on errors."""
    from etl.check_report import build_report, print_report, report_json, write_xlsx
    from etl.load import check_files, libpq_conninfo
    from etl.warning_summary import EXAMPLES
    from mujun.policy import PolicyNotFound, load_policy

    settings = Settings()
    try:
        policy = load_policy(settings.rules.policy)
    except PolicyNotFound as exc:
        raise _fail("找不到政策", str(exc)) from exc
    options = _read_options(settings, layer, encoding, crs, source, mapping, lang)
    named = {"zones": zones, "parcels": parcels, "projects": projects, "constraints": constraints, "monthly": monthly,
             "batches": batches, "evaluation": evaluation}
    if not files and not any(named.values()):
        raise _fail("请给出要检查的文件", "give the files to check")
    refused: list[Problem] = []
    inferences: list[str] = []
    conninfo = None
    if not offline:
        url = _url(settings)
        ensure_schema(url)
        conninfo = libpq_conninfo(url)
    checked = [item for request in _check_requests(files or [], named, options, _replaced(replace), refused, inferences)
               for item in check_files(request, policy, settings.rules, conninfo=conninfo)]
    report = build_report(checked, refused, inferences)
    if as_json:
        typer.echo(report_json(report))
    else:
        print_report(report, console, lang, None if verbose else EXAMPLES)
    if xlsx is not None:
        write_xlsx(report, xlsx)
        (err if as_json else console).print(f"[green]✓[/] {xlsx}")
    if not report.ok:
        raise typer.Exit(code=1)


@app.command("loads")
def loads_command(
    limit: int = 20,
    warnings: Annotated[int | None, typer.Option("--warnings", metavar="LOAD_ID", help="print the stored warnings of load LOAD_ID")] = None,
    lang: LangOption = Lang.zh,
) -> None:
    """List the most recent loads: files with sha256, counts, user, time and policy; or one load's warnings."""
    from sqlalchemy import select
    from sqlalchemy.orm import Session

    from mujun.models import Load

    engine = make_engine(_url(Settings()))
    if warnings is not None:
        with Session(engine) as session:
            load = session.get(Load, warnings)
        if load is None:
            raise _fail(f"没有载入记录 #{warnings}", f"there is no load #{warnings} (mujun loads lists them)")
        _print_stored_warnings(load.id, load.warnings, load.counts.get("warnings", {}).get("total", len(load.warnings)), lang)
        return
    table = Table(title="载入记录 load history")
    for column in ("#", "time", "user", "policy", "files", "counts"):
        table.add_column(column, overflow="fold")
    with Session(engine) as session:
        for row in session.scalars(select(Load).order_by(Load.id.desc()).limit(limit)):
            files = "\n".join(f"{f['kind']}: {f['name']} {f['sha256'][:12]}" for f in row.files)
            counts = ", ".join(f"{k} {v}" for k, v in row.counts.items())
            table.add_row(str(row.id), f"{row.started_at:%Y-%m-%d %H:%M:%S}", row.username, row.policy_code, files, counts)
    console.print(table)


def _print_stored_warnings(load_id: int, stored: list[dict[str, Any]], total: int, lang: str) -> None:
    """Every warning the load history kept of a load, by kind; and how many more there were, if it kept only the first."""
    from etl.warning_summary import print_warnings

    zh = lang == "zh"
    if not stored:
        console.print(f"载入 #{load_id} 没有警告" if zh else f"load #{load_id} had no warnings")
        return
    console.print(Text(f"载入 #{load_id} 的警告" if zh else f"the warnings of load #{load_id}", style="bold"))
    print_warnings(console, [Problem.from_dict(item) for item in stored], lang, examples=None)
    if total > len(stored):
        console.print(f"载入记录只保留了前 {len(stored):,} 条（共 {total:,} 条）：对同样的文件运行 mujun check --xlsx 文件.xlsx 列出全部" if zh
                      else f"the load history kept the first {len(stored):,} of {total:,}: mujun check of the same files with "
                      "--xlsx FILE.xlsx lists them all", highlight=False)


@app.command("bulletin")
def bulletin_command(
    month: Annotated[str, typer.Option(help="the month reported on, YYYY-MM, or previous (the month before today in China)")],
    out: Annotated[Path, typer.Option(help="the file to write: .docx (Word), .pdf (A4 portrait) or .xlsx (one sheet per section)")],
    jurisdiction: Annotated[str | None, typer.Option(help="a 所属地区: that district's bulletin (default: the whole city's)")] = None,
) -> None:
    """Write the monthly bulletin (通报) of major projects: Word, PDF or Excel, as --out's suffix says."""
    import hashlib

    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    from geo_api import bulletin
    from layers.bulletins import BulletinScope
    from mujun import audit
    from mujun.policy import PolicyNotFound
    from mujun.stages import today_in_china

    output = out.suffix.lower().lstrip(".")
    if output not in bulletin.FORMATS:
        raise _fail(f"--out 应以 {'、'.join('.' + f for f in bulletin.FORMATS)} 结尾（得到 {out.name}）",
                    f"--out must end in {', '.join('.' + f for f in bulletin.FORMATS)} (got {out.name})")
    settings = Settings()
    today = today_in_china()
    actor = shell_actor()  # the machine's user, of every district (recorded as such)
    try:
        scope = BulletinScope(*bulletin.bulletin_month(month, today), jurisdiction or None)
        url = _url(settings)
        ensure_schema(url)
        engine = make_engine(url)
        with Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(), console=console) as bar:
            task = bar.add_task("汇总数字 gathering the figures", total=3)
            with engine.connect() as conn:
                data, document = bulletin.compose(conn.execution_options(isolation_level="REPEATABLE READ"), actor.access,
                                                  settings.rules.policy, scope, today)
            bar.update(task, advance=1, description="绘制图表、生成文件 drawing the charts, making the file")
            content = bulletin.render(data, document, output, settings.web.chromium)
            bar.update(task, advance=1, description=f"写入 writing {out}")
            out.write_bytes(content)
            bar.update(task, advance=1)
        engine.dispose()
        with connection() as audited:
            audit.record(audited, actor, audit.Event.EXPORT, {"report": "bulletin", "month": scope.month_text,
                                                              "jurisdiction": scope.jurisdiction, "format": output,
                                                              "sha256": hashlib.sha256(content).hexdigest(), "file": str(out)})
    except MujunError as exc:
        raise _fail(exc.zh, exc.en) from exc
    except PolicyNotFound as exc:
        raise _fail("找不到政策", str(exc)) from exc
    console.print(f"[green]✓[/] {document.title} → {out} ({len(content):,} bytes, sha256 {hashlib.sha256(content).hexdigest()[:16]}…, "
                  f"数据版本 data version {data.data_version})", highlight=False)


WorkersOption = Annotated[int | None, typer.Option(
    "--workers", min=1, help="worker processes, each with its own pools and caches (default: the machine's cores)")]


@app.command("serve")
def serve(host: str = "127.0.0.1", port: int = 8000, workers: WorkersOption = None) -> None:
    """Serve the portal and its API (OpenAPI docs at /docs)."""
    _serve(Settings(), host, port, workers)


def _serve(settings: Settings, host: str, port: int, workers: int | None, notice: str | None = None) -> None:
    """Serve; with a `notice` (the demo's sign-in), it is printed last and the server logs only warnings."""
    import os

    import uvicorn

    from geo_api.app import create_app

    try:
        application = create_app(settings)  # settings checked, and the local database started, once before any worker
    except (LocalDatabaseError, MujunError) as exc:
        raise _fail("无法启动服务", str(exc)) from exc
    count = workers or os.cpu_count() or 1
    console.print(f"[green]✓[/] 亩均 Mujun at http://{host}:{port}/  (API docs: /docs; {count} worker{'s' if count > 1 else ''})")
    if notice:
        console.print(notice)
    # Client addresses and TLS come from a proxy's headers only when MUJUN_TRUST_PROXY says so (geo_api.access).
    options: dict[str, object] = {"host": host, "port": port, "log_level": "warning" if notice else "info", "proxy_headers": False}
    if count == 1:
        uvicorn.run(application, **options)  # type: ignore[arg-type]
    else:  # each worker builds its app from the environment, as this one was
        uvicorn.run("geo_api.app:factory", factory=True, workers=count, **options)  # type: ignore[arg-type]


DEMO_ADMIN = "admin"


def _demo_admin() -> str:
    """The demo's admin account, with a new random password each run (printed, never stored in clear)."""
    import secrets

    from mujun import accounts, audit
    from mujun.access import access_policy

    password = secrets.token_urlsafe(12)
    with connection() as conn:
        policy = access_policy()
        if any(a.username == DEMO_ADMIN for a in accounts.accounts(conn)):
            accounts.set_user(conn, policy, DEMO_ADMIN, accounts.AccountChange(role="admin", unscoped=True, disabled=False, password=password))
            event = audit.Event.ACCOUNT_CHANGED
            detail: dict[str, object] = {"account": DEMO_ADMIN, "password": "changed"}
        else:
            accounts.add_user(conn, policy, DEMO_ADMIN, "admin", [], password)
            event, detail = audit.Event.ACCOUNT_ADDED, {"account": DEMO_ADMIN, "role": "admin", "jurisdictions": None}
        audit.record(conn, shell_actor(), event, detail)
    return password


@app.command("demo")
def demo(host: str = "127.0.0.1", port: int = 8000, workers: WorkersOption = None, lang: LangOption = Lang.zh,
         verbose: VerboseOption = False) -> None:
    """db up + load the Changzhou sample (sample_geo/) + an admin account with a random password + serve, on the sample's
    offline base map unless one is configured."""
    import os

    from etl.load import LoadRequest

    settings = Settings()
    run_load(settings, LoadRequest(zones=SAMPLE / "zones.geojson", parcels=SAMPLE / "parcels.gpkg",
                                   projects=SAMPLE / "projects.xlsx", constraints=SAMPLE / "constraints.geojson",
                                   monthly=SAMPLE / "monthly-2024.xlsx", batches=SAMPLE / "batches.geojson",
                                   evaluation=SAMPLE / "evaluation-2023.xlsx"), shell_actor(), lang, verbose)
    chosen = settings.basemaps
    if not (chosen.basemap_mbtiles or chosen.basemap_url or chosen.tianditu_key or chosen.basemaps):
        # In the environment, which each of several workers builds its settings from (geo_api.app.factory).
        os.environ["MUJUN_BASEMAP_MBTILES"] = str(SAMPLE / "basemap.mbtiles")
        settings = Settings()
    password = _demo_admin()
    _serve(settings, host, port, workers, f"[bold green]登录 sign in:[/] http://{host}:{port}/  用户 user [bold]{DEMO_ADMIN}[/]  "
                                          f"密码 password [bold]{password}[/]  (the README says how to add officials: mujun users add)")

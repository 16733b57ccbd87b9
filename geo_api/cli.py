"""The `mujun` command line: db up/stop, load, loads, serve, demo."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
import uvicorn
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table
from sqlalchemy import select
from sqlalchemy.orm import Session

from etl.load import LoadRequest, libpq_conninfo, load
from mujun.db import database_url, make_engine, upgrade
from mujun.errors import InputError, MujunError
from mujun.localdb import LocalCluster, LocalDatabaseError
from mujun.models import Load
from mujun.policy import PolicyNotFound, load_policy
from mujun.settings import PROJECT_ROOT, Settings

app = typer.Typer(help="亩均 Mujun: industrial land investment intensity portal.", no_args_is_help=True)
db_app = typer.Typer(help="The database: create, upgrade, stop the local one.", no_args_is_help=True)
app.add_typer(db_app, name="db")
console = Console()
err = Console(stderr=True)

SAMPLE = PROJECT_ROOT / "sample_geo"

FileOption = Annotated[Path | None, typer.Option(exists=False, dir_okay=False, help="file to load")]


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
    console.print(f"[green]✓[/] schema is current on {make_engine(url).url.render_as_string(hide_password=True)}")


@db_app.command("stop")
def db_stop() -> None:
    """Stop the project's local PostgreSQL (under .var/), if it runs."""
    stopped = LocalCluster(Settings().database.local_dir).stop()
    console.print("[green]✓[/] local database stopped" if stopped else "local database was not running")


def _print_problems(exc: InputError) -> None:
    table = Table(title="无法载入 / load refused", show_lines=False)
    for column in ("文件 file", "位置 where", "字段 field", "值 value", "问题 problem"):
        table.add_column(column, overflow="fold")
    for problem in exc.problems[:200]:
        table.add_row(problem.file, problem.location, problem.field or "", problem.value or "",
                      f"{problem.expected_zh}\n{problem.expected_en}")
    err.print(table)
    if len(exc.problems) > 200:
        err.print(f"… {len(exc.problems) - 200} more")


def run_load(settings: Settings, request: LoadRequest) -> None:
    try:
        policy = load_policy(settings.rules.policy)
    except PolicyNotFound as exc:
        raise _fail("找不到政策", str(exc)) from exc
    url = _url(settings)
    upgrade(url)
    steps = len(request.files()) * 2 + 1
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(), console=console) as bar:
        task = bar.add_task("load", total=steps)

        def step(name: str) -> None:
            bar.update(task, description=name, advance=1)

        try:
            result = load(libpq_conninfo(url), request, policy, settings.rules, step)
        except InputError as exc:
            bar.stop()
            _print_problems(exc)
            raise _fail("未载入任何数据：数据库保持不变", "nothing was loaded: the database is unchanged") from exc
    table = Table(title=f"载入 load #{result.load_id} · {policy.name}")
    for column in ("", "read", "inserted", "updated", "unchanged"):
        table.add_column(column)
    for kind, counts in result.counts.items():
        if kind != "assessed":
            table.add_row(kind, *(str(counts[k]) for k in ("read", "inserted", "updated", "unchanged")))
    console.print(table)
    console.print(f"rule results changed on {result.counts['assessed']['changed']} parcels")
    for inference in result.inferences:
        console.print(f"[cyan]i[/] {inference}")
    for warning in result.warnings:
        console.print(f"[yellow]![/] {warning.message('zh')}\n  {warning.message('en')}")


@app.command("load")
def load_command(
    zones: FileOption = None, parcels: FileOption = None, projects: FileOption = None,
    constraints: FileOption = None,
) -> None:
    """Load zones, parcels, projects and/or constraint layers (三区三线), all or nothing."""
    request = LoadRequest(zones=zones, parcels=parcels, projects=projects, constraints=constraints)
    if not request.files():
        raise _fail("请至少给出一个文件", "give at least one of --zones, --parcels, --projects, --constraints")
    run_load(Settings(), request)


@app.command("loads")
def loads_command(limit: int = 20) -> None:
    """List the most recent loads: files with sha256, counts, user, time and policy."""
    engine = make_engine(_url(Settings()))
    table = Table(title="载入记录 load history")
    for column in ("#", "time", "user", "policy", "files", "counts"):
        table.add_column(column, overflow="fold")
    with Session(engine) as session:
        for row in session.scalars(select(Load).order_by(Load.id.desc()).limit(limit)):
            files = "\n".join(f"{f['kind']}: {f['name']} {f['sha256'][:12]}" for f in row.files)
            counts = ", ".join(f"{k} {v}" for k, v in row.counts.items())
            table.add_row(str(row.id), f"{row.started_at:%Y-%m-%d %H:%M:%S}", row.username, row.policy_code, files, counts)
    console.print(table)


@app.command("serve")
def serve(host: str = "127.0.0.1", port: int = 8000) -> None:
    """Serve the portal and its API (OpenAPI docs at /docs)."""
    from geo_api.app import create_app

    settings = Settings()
    try:
        application = create_app(settings)
    except (LocalDatabaseError, MujunError) as exc:
        raise _fail("无法启动服务", str(exc)) from exc
    console.print(f"[green]✓[/] 亩均 Mujun at http://{host}:{port}/  (API docs: /docs)")
    uvicorn.run(application, host=host, port=port, log_level="info")


@app.command("demo")
def demo(host: str = "127.0.0.1", port: int = 8000) -> None:
    """db up + load the Changzhou sample (sample_geo/) + serve."""
    settings = Settings()
    run_load(settings, LoadRequest(zones=SAMPLE / "zones.geojson", parcels=SAMPLE / "parcels.gpkg",
                                   projects=SAMPLE / "projects.xlsx", constraints=SAMPLE / "constraints.geojson"))
    serve(host, port)

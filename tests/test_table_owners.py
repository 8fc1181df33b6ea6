"""One owner per table: no app writes another app's table through its manager (CONVENTIONS.md).

A static scan with ``ast`` of every module of the project's apps (migrations
aside). It sees a call such as ``Device.objects.create(...)`` or
``SoldOut.objects.filter(...).update(...)``: a write method called on a chain
that starts at ``<Model>.objects``, where ``Model`` was imported by name from
``<app>.models``. The writing module's app is its top package; the model's app
is the package of the models module it came from.

What it cannot see, so review still has to: ``row.save()`` / ``row.delete()``
on a row fetched elsewhere, related managers (``order.lines.create``), a
model's ``_default_manager``, models reached through a module alias, and raw
SQL. The one allowed exception is sync/master.py, the master-data mechanism,
which writes any master model by its wire label.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APPS = ("posweb", "hq", "integrations", "kitchen", "security", "registers", "menu", "stores", "sync", "runtime")
WRITES = frozenset({
    "create", "bulk_create", "bulk_update", "update", "update_or_create", "get_or_create", "delete",
    "select_for_update", "create_user", "create_superuser",
})
# The master-data mechanism: applies HQ's rows of any master model, by wire label.
ALLOWED = frozenset({"sync/master.py"})


def _model_apps(tree: ast.AST) -> dict[str, str]:
    """Names bound by ``from <app>.models import Model [as Name]``, mapped to ``<app>``."""
    names: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.endswith(".models"):
            app = node.module.split(".")[0]
            if app in APPS:
                names.update({alias.asname or alias.name: app for alias in node.names})
    return names


def _manager_root(node: ast.expr) -> str | None:
    """The ``Model`` of a receiver chain ``Model.objects.<...>``, or None."""
    while True:
        if isinstance(node, ast.Call):
            node = node.func
        elif isinstance(node, ast.Attribute):
            if node.attr == "objects" and isinstance(node.value, ast.Name):
                return node.value.id
            node = node.value
        else:
            return None


def writes_in(source: str) -> list[tuple[int, str, str, str]]:
    """(line, model, its app, method) of each write through a model manager in ``source``."""
    tree = ast.parse(source)
    owners = _model_apps(tree)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in WRITES:
            model = _manager_root(node.func.value)
            if model in owners:
                found.append((node.lineno, model, owners[model], node.func.attr))
    return sorted(found)


def project_writes() -> list[tuple[str, int, str, str, str]]:
    """(path, line, model, model's app, method) for every write the scan sees in the project."""
    rows = []
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            relative = path.relative_to(ROOT).as_posix()
            if "/migrations/" in relative:
                continue
            rows += [(relative, *write) for write in writes_in(path.read_text(encoding="utf-8"))]
    return rows


def test_the_scan_sees_a_write_to_another_apps_table():
    source = (
        "from stores.models import Device as D, Store\n"
        "def f():\n"
        "    Store.objects.select_for_update().get(pk=1)\n"
        "    D.objects.filter(name='x').update(name='y')\n"
        "    Store.objects.filter(code='x').exists()\n"
    )
    assert writes_in(source) == [(3, "Store", "stores", "select_for_update"), (4, "D", "stores", "update")]


def test_the_scan_sees_the_projects_own_writes():
    # A scan that silently found nothing would pass the test below for nothing.
    seen = {(path, model) for path, _, model, _, _ in project_writes()}
    assert ("registers/projections.py", "Order") in seen
    assert ("stores/services.py", "TicketCounter") in seen
    assert ("menu/sold_out.py", "SoldOut") in seen
    assert len(seen) > 30


def test_every_table_is_written_only_by_its_own_app():
    foreign = [
        f"{path}:{line}: {model}.objects...{method}() writes a table of {app}; call a {app} service instead"
        for path, line, model, app, method in project_writes()
        if path.split("/")[0] != app and path not in ALLOWED
    ]
    assert foreign == []

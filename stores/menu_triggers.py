"""The menu-version triggers (made by registers migration 0005), for the
migrations that change a table they watch.

On SQLite, Django alters a column by rebuilding its table, and the rebuild
drops the table's triggers: the menu version would then stand still while
prices change, and registers would charge a stale price. A migration that
alters such a table wraps its operations in ``triggers_kept``, which makes the
triggers again after the change (and after undoing it).

Here, in the lowest app owning one of the watched tables, so that the
migrations of stores and of menu can both use it (layers: imports point down).
The SQL is the same as 0005's, which stays as it was: a migration is history.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.operations.base import Operation
from django.db.migrations.state import StateApps

# A random new value rather than version + 1: a rolled-back change must never
# leave behind a number that a later, different menu reaches again.
BUMP = {
    "sqlite": "UPDATE registers_menuversion SET version = abs(random()) WHERE id = 1",
    "postgresql": "UPDATE registers_menuversion SET version = floor(random() * 9.2e18)::bigint WHERE id = 1",
}
SQLITE_OPS = ("insert", "update", "delete")


def triggers_make(schema_editor: BaseDatabaseSchemaEditor, tables: Sequence[str]) -> None:
    """(Re)create the triggers of ``tables``: those still there are replaced, so it is safe to run twice."""
    vendor = schema_editor.connection.vendor
    execute = schema_editor.execute
    if vendor == "postgresql":
        execute(
            "CREATE OR REPLACE FUNCTION registers_menu_bump() RETURNS trigger AS $$ "
            f"BEGIN {BUMP['postgresql']}; RETURN NULL; END $$ LANGUAGE plpgsql"
        )
        for table in tables:
            execute(f"DROP TRIGGER IF EXISTS {table}_menu_bump ON {table}")
            execute(
                f"CREATE TRIGGER {table}_menu_bump AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table} "
                "FOR EACH STATEMENT EXECUTE FUNCTION registers_menu_bump()"
            )
    elif vendor == "sqlite":
        for table in tables:
            for op in SQLITE_OPS:
                execute(f"DROP TRIGGER IF EXISTS {table}_menu_bump_{op}")
                execute(f"CREATE TRIGGER {table}_menu_bump_{op} AFTER {op.upper()} ON {table} BEGIN {BUMP['sqlite']}; END")
    else:
        raise RuntimeError(f"menu version triggers are written for SQLite and PostgreSQL, not {vendor}")


def triggers_kept(tables: Sequence[str], operations: Sequence[Operation]) -> list[Operation]:
    """``operations``, then the triggers of ``tables`` made again; undone, the same in reverse."""

    def make(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
        triggers_make(schema_editor, tables)

    noop = migrations.RunPython.noop
    return [migrations.RunPython(noop, make), *operations, migrations.RunPython(make, noop)]

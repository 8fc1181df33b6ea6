"""The menu version row and the triggers that bump it (see MenuVersion)."""

from django.db import migrations, models

TABLES = [
    "registers_menuitem",
    "registers_menuitem_modifier_groups",
    "registers_modifier",
    "registers_modifiergroup",
    "registers_store",
    "registers_storeitem",
    "registers_soldout",
    "kitchen_station",
]
# A random new value rather than version + 1: a rolled-back change must never
# leave behind a number that a later, different menu reaches again.
BUMP = {
    "sqlite": "UPDATE registers_menuversion SET version = abs(random()) WHERE id = 1",
    "postgresql": "UPDATE registers_menuversion SET version = floor(random() * 9.2e18)::bigint WHERE id = 1",
}


def triggers_add(apps, schema_editor, tables=TABLES):
    """Also used by later migrations for tables added since (``tables``)."""
    execute = schema_editor.execute
    if schema_editor.connection.vendor == "postgresql":
        execute(
            "CREATE OR REPLACE FUNCTION registers_menu_bump() RETURNS trigger AS $$ "
            f"BEGIN {BUMP['postgresql']}; RETURN NULL; END $$ LANGUAGE plpgsql"
        )
        for table in tables:
            execute(
                f"CREATE TRIGGER {table}_menu_bump AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table} "
                "FOR EACH STATEMENT EXECUTE FUNCTION registers_menu_bump()"
            )
    elif schema_editor.connection.vendor == "sqlite":
        for table in tables:
            for op in ("INSERT", "UPDATE", "DELETE"):
                execute(f"CREATE TRIGGER {table}_menu_bump_{op.lower()} AFTER {op} ON {table} BEGIN {BUMP['sqlite']}; END")
    else:
        raise RuntimeError(f"menu version triggers are written for SQLite and PostgreSQL, not {schema_editor.connection.vendor}")


def triggers_remove(apps, schema_editor, tables=TABLES):
    execute = schema_editor.execute
    if schema_editor.connection.vendor == "postgresql":
        for table in tables:
            execute(f"DROP TRIGGER IF EXISTS {table}_menu_bump ON {table}")
        if tables is TABLES:
            execute("DROP FUNCTION IF EXISTS registers_menu_bump()")
    else:
        for table in tables:
            for op in ("insert", "update", "delete"):
                execute(f"DROP TRIGGER IF EXISTS {table}_menu_bump_{op}")


def version_row(apps, schema_editor):
    apps.get_model("registers", "MenuVersion").objects.get_or_create(pk=1)


class Migration(migrations.Migration):
    dependencies = [
        ("registers", "0004_store_items_and_sold_out"),
        ("kitchen", "0005_kitchen_screen_presence"),
    ]

    operations = [
        migrations.CreateModel(
            name="MenuVersion",
            fields=[
                ("id", models.PositiveSmallIntegerField(default=1, primary_key=True, serialize=False)),
                ("version", models.BigIntegerField(default=1)),
            ],
        ),
        migrations.RunPython(version_row, migrations.RunPython.noop),
        migrations.RunPython(triggers_add, triggers_remove),
    ]

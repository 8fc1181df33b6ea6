"""Station now belongs to menu/ (MenuItem points at it, and menu sits below
kitchen): removed from kitchen's state only (the table kitchen_station stays),
and its content type follows it so admin permissions survive."""

from django.db import migrations


def content_type_move(old: str, new: str):
    """A RunPython function moving Station's content type from app label ``old`` to ``new``."""

    def run(apps, schema_editor) -> None:
        rows = apps.get_model("contenttypes", "ContentType").objects.using(schema_editor.connection.alias)
        # A row already under the new label (a stale one made by hand) is left alone.
        if not rows.filter(app_label=new, model="station").exists():
            rows.filter(app_label=old, model="station").update(app_label=new)

    return run


class Migration(migrations.Migration):

    dependencies = [
        ("kitchen", "0005_kitchen_screen_presence"),
        ("registers", "0006_moved_to_stores_and_menu"),
        ("menu", "0001_initial"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[migrations.DeleteModel(name="Station")],
        ),
        migrations.RunPython(content_type_move("kitchen", "menu"), content_type_move("menu", "kitchen")),
    ]

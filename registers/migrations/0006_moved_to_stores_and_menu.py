"""Store, Device, Staff, TicketCounter and the catalogue now belong to stores/
and menu/: removed from registers' state only (the tables stay, with their
rows), and their content types follow them so admin permissions survive."""

from django.db import migrations

MOVED = {
    "store": "stores", "device": "stores", "staff": "stores", "ticketcounter": "stores",
    "category": "menu", "modifiergroup": "menu", "modifier": "menu", "menuitem": "menu",
    "storeitem": "menu", "soldout": "menu", "menuversion": "menu",
}


def content_types_move(moves: dict[str, tuple[str, str]]):
    """A RunPython function moving each model's content type from one app label to another."""

    def run(apps, schema_editor) -> None:
        content_type = apps.get_model("contenttypes", "ContentType")
        rows = content_type.objects.using(schema_editor.connection.alias)
        for model, (old, new) in moves.items():
            # A row already under the new label (a stale one made by hand) is left alone.
            if not rows.filter(app_label=new, model=model).exists():
                rows.filter(app_label=old, model=model).update(app_label=new)

    return run


forward = content_types_move({model: ("registers", app) for model, app in MOVED.items()})
backward = content_types_move({model: (app, "registers") for model, app in MOVED.items()})


class Migration(migrations.Migration):

    dependencies = [
        ("registers", "0005_menu_version"),
        ("stores", "0001_initial"),
        ("menu", "0001_initial"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.RemoveField(
                    model_name='menuitem',
                    name='category',
                ),
                migrations.DeleteModel(
                    name='Device',
                ),
                migrations.RemoveField(
                    model_name='menuitem',
                    name='modifier_groups',
                ),
                migrations.RemoveField(
                    model_name='menuitem',
                    name='station',
                ),
                migrations.RemoveField(
                    model_name='storeitem',
                    name='item',
                ),
                migrations.DeleteModel(
                    name='MenuVersion',
                ),
                migrations.RemoveField(
                    model_name='modifier',
                    name='group',
                ),
                migrations.DeleteModel(
                    name='SoldOut',
                ),
                migrations.DeleteModel(
                    name='Staff',
                ),
                migrations.DeleteModel(
                    name='Store',
                ),
                migrations.DeleteModel(
                    name='TicketCounter',
                ),
                migrations.DeleteModel(
                    name='Category',
                ),
                migrations.DeleteModel(
                    name='MenuItem',
                ),
                migrations.DeleteModel(
                    name='StoreItem',
                ),
                migrations.DeleteModel(
                    name='Modifier',
                ),
                migrations.DeleteModel(
                    name='ModifierGroup',
                ),
            ],
        ),
        migrations.RunPython(forward, backward),
    ]

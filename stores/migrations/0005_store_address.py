"""The store's address, printed on receipts and kept with each sale.

On SQLite the store table is rebuilt, which drops its menu-version triggers:
they are made again (stores/menu_triggers.py)."""

from django.db import migrations, models

from stores.menu_triggers import triggers_kept


class Migration(migrations.Migration):
    dependencies = [
        ("stores", "0004_tables_floor"),
    ]

    operations = triggers_kept(["registers_store"], [
        migrations.AddField(
            model_name="store",
            name="address",
            field=models.CharField(blank=True, help_text="Printed on receipts.", max_length=200, verbose_name="address"),
        ),
    ])

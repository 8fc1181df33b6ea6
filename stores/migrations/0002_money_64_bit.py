"""Offline card limits in 64-bit columns, as all money.

On SQLite the store table is rebuilt, which drops its menu-version triggers:
they are made again (stores/menu_triggers.py)."""

import django.core.validators
from django.db import migrations, models

from stores.menu_triggers import triggers_kept


class Migration(migrations.Migration):

    dependencies = [
        ('stores', '0001_initial'),
    ]

    operations = triggers_kept(["registers_store"], [
        migrations.AlterField(
            model_name='store',
            name='offline_card_limit',
            field=models.PositiveBigIntegerField(default=10000, validators=[django.core.validators.MaxValueValidator(1000000000000)], verbose_name='offline card limit per sale (yen)'),
        ),
        migrations.AlterField(
            model_name='store',
            name='offline_card_store_limit',
            field=models.PositiveBigIntegerField(default=100000, validators=[django.core.validators.MaxValueValidator(1000000000000)], verbose_name='offline card open total per store (yen)'),
        ),
    ])

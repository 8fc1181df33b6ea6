"""Prices in 64-bit columns (money passes 2^31 yen; PostgreSQL's integer stops there).

On SQLite the altered tables are rebuilt, which drops their menu-version
triggers: they are made again (stores/menu_triggers.py)."""

import django.core.validators
from django.db import migrations, models

from stores.menu_triggers import triggers_kept


class Migration(migrations.Migration):

    dependencies = [
        ('menu', '0001_initial'),
    ]

    operations = triggers_kept(["registers_menuitem", "registers_modifier", "registers_storeitem"], [
        migrations.AlterField(
            model_name='menuitem',
            name='price',
            field=models.PositiveBigIntegerField(validators=[django.core.validators.MaxValueValidator(1000000000000)], verbose_name='price (yen, tax included)'),
        ),
        migrations.AlterField(
            model_name='modifier',
            name='price_delta',
            field=models.BigIntegerField(default=0, validators=[django.core.validators.MinValueValidator(-1000000000000), django.core.validators.MaxValueValidator(1000000000000)], verbose_name='price change (yen, tax included)'),
        ),
        migrations.AlterField(
            model_name='storeitem',
            name='price',
            field=models.PositiveBigIntegerField(blank=True, help_text="Empty: the menu item's price.", null=True, validators=[django.core.validators.MaxValueValidator(1000000000000)], verbose_name='price at this store (yen, tax included)'),
        ),
    ])

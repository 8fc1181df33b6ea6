"""The catalogue, moved here from registers (and Station from kitchen) in state
only: the tables keep their names and rows, and the menu-version triggers of
registers migration 0005, which name those tables, keep working."""

import django.core.validators
import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ("registers", "0005_menu_version"),
        ("kitchen", "0005_kitchen_screen_presence"),
        ("stores", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name='Category',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('code', models.CharField(max_length=32, unique=True, validators=[django.core.validators.RegexValidator('^[A-Za-z0-9_-]+$', 'Letters, digits, - and _ only.')], verbose_name='code')),
                        ('name_ja', models.CharField(max_length=100, verbose_name='Japanese name')),
                        ('name_en', models.CharField(max_length=100, verbose_name='English name')),
                        ('position', models.PositiveIntegerField(default=0, verbose_name='position')),
                    ],
                    options={
                        'verbose_name': 'category',
                        'verbose_name_plural': 'categories',
                        'db_table': 'registers_category',
                        'ordering': ['position', 'code'],
                    },
                ),
                migrations.CreateModel(
                    name='MenuVersion',
                    fields=[
                        ('id', models.PositiveSmallIntegerField(default=1, primary_key=True, serialize=False)),
                        ('version', models.BigIntegerField(default=1)),
                    ],
                    options={
                        'db_table': 'registers_menuversion',
                    },
                ),
                migrations.CreateModel(
                    name='ModifierGroup',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('code', models.CharField(max_length=32, unique=True, validators=[django.core.validators.RegexValidator('^[A-Za-z0-9_-]+$', 'Letters, digits, - and _ only.')], verbose_name='code')),
                        ('name_ja', models.CharField(max_length=100, verbose_name='Japanese name')),
                        ('name_en', models.CharField(max_length=100, verbose_name='English name')),
                        ('min_choices', models.PositiveSmallIntegerField(default=0, verbose_name='minimum choices')),
                        ('max_choices', models.PositiveSmallIntegerField(default=1, verbose_name='maximum choices')),
                        ('position', models.PositiveIntegerField(default=0, verbose_name='position')),
                    ],
                    options={
                        'verbose_name': 'modifier group',
                        'verbose_name_plural': 'modifier groups',
                        'db_table': 'registers_modifiergroup',
                        'ordering': ['position', 'code'],
                    },
                ),
                migrations.CreateModel(
                    name='Station',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('code', models.CharField(max_length=32, unique=True, validators=[django.core.validators.RegexValidator('^[A-Za-z0-9_-]+$', 'Letters, digits, - and _ only.')], verbose_name='code')),
                        ('name_ja', models.CharField(max_length=100, verbose_name='Japanese name')),
                        ('name_en', models.CharField(max_length=100, verbose_name='English name')),
                        ('position', models.PositiveIntegerField(default=0, verbose_name='position')),
                        ('printer_host', models.CharField(blank=True, default='', max_length=255, verbose_name='printer host')),
                        ('printer_port', models.PositiveIntegerField(default=9100, verbose_name='printer port')),
                    ],
                    options={
                        'verbose_name': 'kitchen station',
                        'verbose_name_plural': 'kitchen stations',
                        'db_table': 'kitchen_station',
                        'ordering': ['position', 'code'],
                    },
                ),
                migrations.CreateModel(
                    name='Modifier',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('code', models.CharField(max_length=32, unique=True, validators=[django.core.validators.RegexValidator('^[A-Za-z0-9_-]+$', 'Letters, digits, - and _ only.')], verbose_name='code')),
                        ('name_ja', models.CharField(max_length=100, verbose_name='Japanese name')),
                        ('name_en', models.CharField(max_length=100, verbose_name='English name')),
                        ('price_delta', models.IntegerField(default=0, verbose_name='price change (yen, tax included)')),
                        ('position', models.PositiveIntegerField(default=0, verbose_name='position')),
                        ('group', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='modifiers', to='menu.modifiergroup', verbose_name='group')),
                    ],
                    options={
                        'verbose_name': 'modifier',
                        'verbose_name_plural': 'modifiers',
                        'db_table': 'registers_modifier',
                        'ordering': ['group', 'position', 'code'],
                    },
                ),
                migrations.CreateModel(
                    name='SoldOut',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('store', models.CharField(max_length=16)),
                        ('sku', models.CharField(max_length=32, verbose_name='SKU')),
                        ('sold_out', models.BooleanField(default=True, verbose_name='sold out')),
                        ('staff', models.CharField(blank=True, max_length=64, verbose_name='staff')),
                        ('at', models.DateTimeField(verbose_name='at')),
                        ('hlc', models.BigIntegerField()),
                        ('origin', models.CharField(max_length=80)),
                    ],
                    options={
                        'verbose_name': 'sold-out mark',
                        'verbose_name_plural': 'sold-out marks',
                        'db_table': 'registers_soldout',
                        'constraints': [models.UniqueConstraint(fields=('store', 'sku'), name='sold_out_store_sku')],
                    },
                ),
                migrations.CreateModel(
                    name='MenuItem',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('sku', models.CharField(max_length=32, unique=True, validators=[django.core.validators.RegexValidator('^[A-Za-z0-9_-]+$', 'Letters, digits, - and _ only.')], verbose_name='SKU')),
                        ('name_ja', models.CharField(max_length=100, verbose_name='Japanese name')),
                        ('name_en', models.CharField(max_length=100, verbose_name='English name')),
                        ('price', models.PositiveIntegerField(verbose_name='price (yen, tax included)')),
                        ('tax_class', models.CharField(choices=[('food', 'food'), ('alcohol', 'alcohol'), ('other', 'other')], default='food', max_length=10, verbose_name='tax class')),
                        ('available', models.BooleanField(default=True, verbose_name='available')),
                        ('takeout_ok', models.BooleanField(default=True, verbose_name='take-out allowed')),
                        ('position', models.PositiveIntegerField(default=0, verbose_name='position')),
                        ('category', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='items', to='menu.category', verbose_name='category')),
                        ('modifier_groups', models.ManyToManyField(blank=True, related_name='items', to='menu.modifiergroup', verbose_name='modifier groups')),
                        ('station', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, to='menu.station', verbose_name='kitchen station')),
                    ],
                    options={
                        'verbose_name': 'menu item',
                        'verbose_name_plural': 'menu items',
                        'db_table': 'registers_menuitem',
                        'ordering': ['category__position', 'position', 'sku'],
                    },
                ),
                migrations.CreateModel(
                    name='StoreItem',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('code', models.CharField(editable=False, max_length=64, unique=True)),
                        ('store', models.CharField(max_length=16, validators=[django.core.validators.RegexValidator('^[A-Za-z0-9_-]+$', 'Letters, digits, - and _ only.')], verbose_name='store')),
                        ('price', models.PositiveIntegerField(blank=True, help_text="Empty: the menu item's price.", null=True, verbose_name='price at this store (yen, tax included)')),
                        ('available', models.BooleanField(default=True, verbose_name='sold at this store')),
                        ('item', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='store_items', to='menu.menuitem', verbose_name='menu item')),
                    ],
                    options={
                        'verbose_name': 'store price and availability',
                        'verbose_name_plural': 'store prices and availability',
                        'db_table': 'registers_storeitem',
                        'ordering': ['store', 'item__sku'],
                        'constraints': [models.UniqueConstraint(fields=('store', 'item'), name='store_item_store_item')],
                    },
                ),
            ],
        ),
    ]

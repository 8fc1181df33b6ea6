"""Store, Device, Staff and TicketCounter, moved here from registers in state only:
their tables (registers_store, ...) were made by registers' migrations and are
not touched, so an existing database upgrades in place."""

import datetime
import django.core.validators
import stores.invoice
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ("registers", "0005_menu_version"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name='Store',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('code', models.CharField(max_length=16, unique=True, validators=[django.core.validators.RegexValidator('^[A-Za-z0-9_-]+$', 'Letters, digits, - and _ only.')], verbose_name='code')),
                        ('name', models.CharField(max_length=100, verbose_name='name')),
                        ('name_en', models.CharField(blank=True, max_length=100, verbose_name='English name')),
                        ('time_zone', models.CharField(default='Asia/Tokyo', max_length=64, verbose_name='time zone')),
                        ('day_cutover', models.TimeField(default=datetime.time(4, 0), verbose_name='business day cut-over')),
                        ('invoice_number', models.CharField(blank=True, max_length=14, validators=[stores.invoice.validate_invoice_number], verbose_name='invoice registration number')),
                        ('sync_key', models.CharField(blank=True, help_text="Shared secret of the store's nodes and its HQ link.", max_length=200, verbose_name='sync key')),
                        ('offline_card_limit', models.PositiveIntegerField(default=10000, verbose_name='offline card limit per sale (yen)')),
                        ('offline_card_store_limit', models.PositiveIntegerField(default=100000, verbose_name='offline card open total per store (yen)')),
                        ('offline_card_settle_hours', models.PositiveIntegerField(default=72, verbose_name='hours to settle an offline card payment')),
                    ],
                    options={
                        'verbose_name': 'store',
                        'verbose_name_plural': 'stores',
                        'db_table': 'registers_store',
                        'ordering': ['code'],
                    },
                ),
                migrations.CreateModel(
                    name='Device',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('store', models.CharField(max_length=16, verbose_name='store')),
                        ('name', models.CharField(max_length=64, verbose_name='name')),
                        ('kind', models.CharField(choices=[('register', 'register'), ('kitchen', 'kitchen screen'), ('integrator', 'integrator')], default='register', max_length=16, verbose_name='kind')),
                        ('token_hash', models.CharField(editable=False, max_length=64, unique=True)),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('revoked_at', models.DateTimeField(blank=True, null=True, verbose_name='revoked at')),
                    ],
                    options={
                        'verbose_name': 'device',
                        'verbose_name_plural': 'devices',
                        'db_table': 'registers_device',
                        'constraints': [models.UniqueConstraint(fields=('store', 'name'), name='device_store_name')],
                    },
                ),
                migrations.CreateModel(
                    name='Staff',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('store', models.CharField(max_length=16, verbose_name='store')),
                        ('name', models.CharField(max_length=64, verbose_name='name')),
                        ('role', models.CharField(choices=[('cashier', 'cashier'), ('manager', 'manager')], default='cashier', max_length=16, verbose_name='role')),
                        ('pin_digest', models.CharField(editable=False, max_length=64)),
                        ('active', models.BooleanField(default=True, verbose_name='active')),
                    ],
                    options={
                        'verbose_name': 'staff member',
                        'verbose_name_plural': 'staff',
                        'db_table': 'registers_staff',
                        'constraints': [models.UniqueConstraint(fields=('store', 'pin_digest'), name='staff_store_pin')],
                    },
                ),
                migrations.CreateModel(
                    name='TicketCounter',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('store', models.CharField(max_length=16)),
                        ('business_date', models.DateField()),
                        ('lane', models.PositiveSmallIntegerField()),
                        ('count', models.PositiveIntegerField(default=0)),
                    ],
                    options={
                        'db_table': 'registers_ticketcounter',
                        'constraints': [models.UniqueConstraint(fields=('store', 'business_date', 'lane'), name='ticket_counter_day_lane')],
                    },
                ),
            ],
        ),
    ]

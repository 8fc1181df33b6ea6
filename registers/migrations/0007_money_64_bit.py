"""Money in 64-bit columns: one order may pass 2^31 yen, which PostgreSQL's
integer cannot hold (sync.events.MAX_YEN is the limit)."""

import django.core.validators
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('registers', '0006_moved_to_stores_and_menu'),
    ]

    operations = [
        migrations.AlterField(
            model_name='drawerevent',
            name='amount',
            field=models.BigIntegerField(),
        ),
        migrations.AlterField(
            model_name='order',
            name='change_given',
            field=models.BigIntegerField(default=0),
        ),
        migrations.AlterField(
            model_name='order',
            name='paid',
            field=models.BigIntegerField(default=0),
        ),
        migrations.AlterField(
            model_name='order',
            name='total',
            field=models.BigIntegerField(validators=[django.core.validators.MinValueValidator(0)]),
        ),
        migrations.AlterField(
            model_name='orderadjustment',
            name='value',
            field=models.BigIntegerField(),
        ),
        migrations.AlterField(
            model_name='orderline',
            name='amount',
            field=models.BigIntegerField(),
        ),
        migrations.AlterField(
            model_name='orderline',
            name='unit_price',
            field=models.BigIntegerField(),
        ),
        migrations.AlterField(
            model_name='payment',
            name='amount',
            field=models.BigIntegerField(),
        ),
        migrations.AlterField(
            model_name='payment',
            name='change',
            field=models.BigIntegerField(default=0),
        ),
        migrations.AlterField(
            model_name='payment',
            name='tendered',
            field=models.BigIntegerField(),
        ),
        migrations.AlterField(
            model_name='refund',
            name='amount',
            field=models.BigIntegerField(),
        ),
    ]

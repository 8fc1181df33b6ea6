# Receipts keep their issuer as sold and as refunded (registers.events.Issuer).

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("registers", "0009_table_checks"),
    ]

    operations = [
        migrations.AddField(model_name="order", name="issuer", field=models.JSONField(blank=True, null=True)),
        migrations.AddField(model_name="refund", name="issuer", field=models.JSONField(blank=True, null=True)),
    ]

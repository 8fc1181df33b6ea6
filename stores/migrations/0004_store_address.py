# The store's address, printed on receipts and kept with each sale.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("stores", "0003_analyst_token"),
    ]

    operations = [
        migrations.AddField(
            model_name="store",
            name="address",
            field=models.CharField(blank=True, help_text="Printed on receipts.", max_length=200, verbose_name="address"),
        ),
    ]

"""Orders of a day looked up by number (registers/renumber.py) use an index
instead of reading every order of the day; the new index comes first, so
reads by store and day keep one throughout."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("registers", "0015_orderline_course_hold"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="order",
            index=models.Index(fields=["store", "business_date", "number"], name="order_store_day_number"),
        ),
        migrations.RemoveIndex(
            model_name="order",
            name="order_store_day",
        ),
    ]

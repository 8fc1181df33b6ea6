"""Each renumbering proposal keeps the number it replaced (``was``), so the
chain an order shows is followed from these rows instead of a scan of every
order.renumbered payload in the change log; the rows are rebuilt from the log."""

from django.db import migrations, models


def rebuild(apps, schema_editor):
    Change = apps.get_model("sync", "Change")
    Order = apps.get_model("registers", "Order")
    OrderRenumber = apps.get_model("registers", "OrderRenumber")
    OrderRenumber.objects.all().delete()
    steps = {}
    for payload in Change.objects.filter(kind="order.renumbered").values_list("payload", flat=True).iterator():
        try:
            key = (str(payload["order"]), int(payload.get("was", 0)), int(payload["number"]))
        except (KeyError, TypeError, ValueError):
            continue  # the projector refused it too
        steps[key] = True
    known = {str(pk) for pk in Order.objects.filter(pk__in=[k[0] for k in steps]).values_list("pk", flat=True)}
    OrderRenumber.objects.bulk_create(
        [OrderRenumber(order_id=order, was=was, number=number) for order, was, number in steps if order in known],
        batch_size=500,
    )


class Migration(migrations.Migration):

    dependencies = [
        ("registers", "0016_order_index_with_number"),
        ("sync", "0001_initial"),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="orderrenumber", name="order_renumber_once"),
        migrations.AddField(model_name="orderrenumber", name="was", field=models.PositiveIntegerField(default=0)),
        migrations.AddConstraint(
            model_name="orderrenumber",
            constraint=models.UniqueConstraint(fields=("order", "was", "number"), name="order_renumber_step_once"),
        ),
        migrations.RunPython(rebuild, migrations.RunPython.noop),
    ]

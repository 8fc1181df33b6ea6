"""Staff become HQ's master data: a person's ``code`` shared by their rows at
each store, PINs as salted slow hashes, and the versions of the profile and
the PIN (last-writer-wins). Rows made before keep working: each gets a code,
and its old keyed digest is wrapped in the slow hash (stores/pins.py), so the
same PIN still opens the register on the node that made it. The demo's
people (PIN 1234 and 9999) get the demo's codes."""

import uuid

from django.db import migrations, models


# The demo's PINs keep the demo's codes, so POS_DEMO=0 refuses them after the upgrade too.
DEMO_PINS = {"1234": "demo-cashier", "9999": "demo-manager"}


def codes_and_hashes(apps, schema_editor):
    from stores.pins import legacy_digest, legacy_wrap

    Staff = apps.get_model("stores", "Staff")
    for row in Staff.objects.all():
        demo = {legacy_digest(row.store, pin): code for pin, code in DEMO_PINS.items()}
        row.code = demo.get(row.pin_digest) or uuid.uuid4().hex
        row.pin_hash = legacy_wrap(row.pin_digest) if row.pin_digest else ""
        row.save(update_fields=["code", "pin_hash"])


class Migration(migrations.Migration):

    dependencies = [
        ("stores", "0006_register_counter"),
    ]

    operations = [
        migrations.AddField("staff", "code", models.CharField(db_index=True, default="", max_length=32, verbose_name="staff code"), preserve_default=False),
        migrations.AddField("staff", "pin_hash", models.CharField(blank=True, editable=False, max_length=200)),
        migrations.AddField("staff", "hlc", models.BigIntegerField(default=0, editable=False)),
        migrations.AddField("staff", "origin", models.CharField(blank=True, editable=False, max_length=100)),
        migrations.AddField("staff", "pin_hlc", models.BigIntegerField(default=0, editable=False)),
        migrations.AddField("staff", "pin_origin", models.CharField(blank=True, editable=False, max_length=100)),
        migrations.AddField("staff", "pin_set_by", models.CharField(blank=True, editable=False, max_length=64, verbose_name="PIN last set by")),
        migrations.AddField("staff", "pin_set_reason", models.CharField(blank=True, editable=False, max_length=200, verbose_name="why the PIN was set")),
        migrations.AddField("staff", "pin_set_at", models.DateTimeField(blank=True, editable=False, null=True, verbose_name="PIN last set at")),
        migrations.AlterField(
            "staff", "role",
            models.CharField(choices=[("cashier", "cashier"), ("manager", "manager"), ("kitchen", "kitchen")], default="cashier", max_length=16, verbose_name="role"),
        ),
        migrations.RunPython(codes_and_hashes, migrations.RunPython.noop),
        migrations.RemoveConstraint("staff", "staff_store_pin"),
        migrations.RemoveField("staff", "pin_digest"),
        migrations.AddConstraint("staff", models.UniqueConstraint(fields=["store", "code"], name="staff_store_code")),
    ]

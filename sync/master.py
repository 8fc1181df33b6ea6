"""Master data (menu, prices, tax classes, stations, store settings): authored
at HQ, replicated to every store as ``master.upsert`` / ``master.delete``
changes, applied last-writer-wins by (hlc, origin).

Rows are named by their natural key (code or sku) and so are their foreign
keys, so a store's own primary keys never matter. The per-row version lives
in sync.MasterVersion, so the registers and kitchen tables need no extra
column. Changes go to all stores (store "*"); a Store row is applied only at
the store it describes (and never carries the sync key).
"""

from __future__ import annotations

from typing import Any, Literal, cast

from django.apps import apps
from django.conf import settings
from django.db import models, transaction
from django.db.models.deletion import ProtectedError

from sync import merge
from sync.events import MasterChange, MasterDeleted, MasterUpserted
from sync.models import Change, MasterVersion
from sync.projection import MissingDependency, Recorded, projector
from sync.services import change_record

# Wire label -> natural key field. Order matters for publish_all: what others point to first.
# The wire label is the model's label when master data began; it stays on the
# wire (and in MasterVersion) after a model moves app, so every release reads
# what every other writes. WIRE_ALIASES maps it to where the model lives now.
MASTER_MODELS = {
    "kitchen.Station": "code",
    "registers.Category": "code",
    "registers.ModifierGroup": "code",
    "registers.Modifier": "code",
    "registers.MenuItem": "sku",
    "registers.Store": "code",
    "registers.StoreItem": "code",
    "menu.SetComponent": "code",
    "menu.MenuWindow": "code",
    "menu.WindowPrice": "code",
    "stores.Table": "code",
}
# Rows that belong to one store: applied only there (and at HQ). The store's
# code is the key itself, or the part before ":" (StoreItem "S001:FRIES").
STORE_SCOPED = {"registers.Store", "registers.StoreItem", "stores.Table"}
# Never shipped and never overwritten: secrets, and what each store sets for
# itself (its own printers' addresses).
SECRET_FIELDS = {"sync_key", "printer_host", "printer_port"}
# Wire label -> the model's label today (stores/ and menu/ split out of registers,
# Station moved from kitchen to menu). A received change may name either.
WIRE_ALIASES = {
    "kitchen.Station": "menu.Station",
    "registers.Category": "menu.Category",
    "registers.ModifierGroup": "menu.ModifierGroup",
    "registers.Modifier": "menu.Modifier",
    "registers.MenuItem": "menu.MenuItem",
    "registers.Store": "stores.Store",
    "registers.StoreItem": "menu.StoreItem",
}
_WIRE_FOR_MODEL = {model: wire for wire, model in WIRE_ALIASES.items()}


def wire_label(label: str) -> str:
    """The wire label for a model label, old (``registers.MenuItem``) or new (``menu.MenuItem``)."""
    return _WIRE_FOR_MODEL.get(label, label)


def master_model(label: str) -> type[models.Model]:
    """The model a wire label (old or new) names."""
    return apps.get_model(WIRE_ALIASES.get(label, label))


class NotHQ(PermissionError):
    """Master data is published only at HQ."""


def _label(instance: models.Model) -> str:
    return wire_label(instance._meta.label)


def is_master(instance: models.Model) -> bool:
    return _label(instance) in MASTER_MODELS


def _natural_key(model: type[models.Model]) -> str:
    return MASTER_MODELS[wire_label(model._meta.label)]


def serialize(instance: models.Model) -> dict[str, Any]:
    """A master row as plain values, foreign keys by natural key."""
    fields: dict[str, Any] = {}
    for f in instance._meta.concrete_fields:
        if f.primary_key or f.name in SECRET_FIELDS:
            continue
        if f.is_relation:
            target = getattr(instance, f.name)
            fields[f.name] = getattr(target, _natural_key(type(target))) if target is not None else None
        else:
            # value_to_string turns None into "None"; a nullable field (a store's price override) must stay null.
            value = f.value_from_object(instance)
            fields[f.name] = None if value is None else f.value_to_string(instance)
    for f in instance._meta.many_to_many:
        key = _natural_key(f.related_model)
        fields[f.name] = sorted(getattr(obj, key) for obj in getattr(instance, f.name).all())
    return fields


def master_publish(*, instance: models.Model) -> Change:
    """Record the current state of a master row as a change for every store (HQ only)."""
    label = _label(instance)
    return _publish(MasterUpserted(model=label, key=getattr(instance, MASTER_MODELS[label]), fields=serialize(instance)))


def master_withdraw(*, instance: models.Model) -> Change:
    """Record that a master row was deleted at HQ."""
    label = _label(instance)
    return _publish(MasterDeleted(model=label, key=getattr(instance, MASTER_MODELS[label])))


def _publish(event: MasterChange) -> Change:
    if settings.POS_ROLE != "hq":
        raise NotHQ("master data is edited at HQ; a store's copy is overwritten by HQ's")
    with transaction.atomic():
        return change_record(event, store=merge.ALL_STORES)


def master_publish_all() -> int:
    """Publish every master row (seed_demo at HQ; a new store's first sync)."""
    count = 0
    with transaction.atomic():
        for label in MASTER_MODELS:
            for instance in master_model(label)._default_manager.all():
                master_publish(instance=instance)
                count += 1
    return count


def _applies_here(label: str, key: str) -> bool:
    return label not in STORE_SCOPED or settings.POS_ROLE == "hq" or key.split(":", 1)[0] == settings.POS_STORE


def _newer(change: Recorded[MasterChange]) -> MasterVersion | Literal[False] | None:
    """The row's version if ``change`` wins over it (None when there is none yet), else False."""
    label, key = wire_label(change.event.model), change.event.key
    if label not in MASTER_MODELS or not key or not _applies_here(label, key):
        return False
    current = MasterVersion.objects.select_for_update().filter(model=label, key=key).first()
    if current is not None and not merge.lww_wins(change.version, (current.hlc, current.origin)):
        return False
    return current


def _version_save(change: Recorded[MasterChange], current: MasterVersion | None, deleted: bool) -> None:
    label, key = wire_label(change.event.model), change.event.key
    if current is None:
        MasterVersion.objects.create(model=label, key=key, hlc=change.hlc, origin=change.origin, deleted=deleted)
    else:
        current.hlc, current.origin, current.deleted = change.hlc, change.origin, deleted
        current.save(update_fields=["hlc", "origin", "deleted"])


@projector(MasterUpserted)
def master_upserted(change: Recorded[MasterUpserted]) -> None:
    current = _newer(change)
    if current is False:
        return
    model = master_model(change.event.model)
    values, m2m = _values(model, change.event.fields)
    lookup: dict[str, Any] = {_natural_key(model): change.event.key}
    obj, _ = model._default_manager.update_or_create(defaults=values, **lookup)
    for name, objs in m2m.items():
        getattr(obj, name).set(objs)
    _version_save(change, current, deleted=False)


@projector(MasterDeleted)
def master_deleted(change: Recorded[MasterDeleted]) -> None:
    current = _newer(change)
    if current is False:
        return
    model = master_model(change.event.model)
    try:
        with transaction.atomic():
            model._default_manager.filter(**{_natural_key(model): change.event.key}).delete()
    except ProtectedError:
        # HQ could not have deleted it either while something pointed at it;
        # keep the row rather than fail the whole batch.
        pass
    _version_save(change, current, deleted=True)


def _values(model: type[models.Model], fields: dict[str, Any]) -> tuple[dict[str, Any], dict[str, list]]:
    values: dict[str, Any] = {}
    m2m: dict[str, list] = {}
    for f in model._meta.concrete_fields:
        if f.primary_key or f.name in SECRET_FIELDS or f.name not in fields or f.name == _natural_key(model):
            continue
        raw = fields[f.name]
        if f.is_relation:
            target = cast(type[models.Model], f.related_model)
            values[f.name] = target._default_manager.filter(**{_natural_key(target): raw}).first() if raw is not None else None
            if raw is not None and values[f.name] is None:
                # e.g. an item whose new category was published by another HQ
                # origin and has not arrived yet: wait for it.
                raise MissingDependency(f"master:{wire_label(target._meta.label)}:{raw}")
        else:
            values[f.name] = f.to_python(raw) if raw is not None else None
    for f in model._meta.many_to_many:
        if f.name in fields:
            target = f.related_model
            m2m[f.name] = list(target._default_manager.filter(**{f"{_natural_key(target)}__in": fields[f.name]}))
    return values, m2m

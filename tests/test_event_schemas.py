"""Every event kind's JSON schema equals the stored one (tests/fixtures/event_schemas.json).

The change log is read for years by every node and HQ: a payload change that
old changes cannot follow (a field renamed, removed, made required, a type
narrowed) must not slip in unnoticed. When this test fails, check that old
payloads still parse (tests/test_changes_v1.py) and that old nodes can read
the new one (only optional fields with defaults added), then regenerate:

    POS_WRITE_EVENT_SCHEMAS=1 .venv/bin/python -m pytest -q tests/test_event_schemas.py
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from sync.events import Authority, event_classes

FIXTURE = Path(__file__).parent / "fixtures" / "event_schemas.json"


def schemas() -> dict[str, Any]:
    """Per kind: who may author it and the JSON schema of its payload (django must be set up:
    the apps' ready() imports their events modules)."""
    return {
        kind: {"authors": cls.authors.value, "schema": cls.model_json_schema()}
        for kind, cls in sorted(event_classes().items())
    }


def test_every_event_schema_is_the_stored_one():
    current = schemas()
    if os.environ.get("POS_WRITE_EVENT_SCHEMAS"):
        FIXTURE.write_text(json.dumps(current, ensure_ascii=False, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    stored = json.loads(FIXTURE.read_text(encoding="utf-8"))
    changed = sorted(kind for kind in {*stored, *current} if stored.get(kind) != current.get(kind))
    assert not changed, (
        f"event schemas changed: {', '.join(changed)}. The change log keeps every payload ever written: "
        "a new version must still read old changes, and old nodes must read new ones (add only optional "
        "fields with defaults; never rename, remove or narrow). If this change does that, regenerate with "
        "POS_WRITE_EVENT_SCHEMAS=1 .venv/bin/python -m pytest -q tests/test_event_schemas.py"
    )


def test_only_master_data_is_hqs_alone_to_write():
    hq_only = {kind for kind, cls in event_classes().items() if cls.authors is Authority.HQ}
    assert hq_only == {"master.upsert", "master.delete", "staff.set"}


# Kinds declared after the v1 log was written (their schemas are stored above all the same).
KINDS_SINCE_V1 = {
    "check.opened", "check.round", "check.moved", "check.merged", "check.part_paid", "check.settled", "order.renumbered",
    "staff.set", "staff.pin_reset", "channel.relayed", "channel.relay_refused", "order.course_fired",
}


def test_every_kind_in_the_v1_log_has_an_event_class():
    from tests.changes_v1 import changes_load

    assert {wire["kind"] for wire in changes_load()} == set(event_classes()) - KINDS_SINCE_V1


def test_a_kind_declared_twice_is_refused():
    from typing import ClassVar

    from registers.events import OrderPlaced
    from sync.events import Event, KindTaken

    with pytest.raises(KindTaken, match="order.placed"):

        class Again(Event):
            kind: ClassVar[str] = OrderPlaced.kind


def test_a_bad_payload_is_refused_with_where_and_why():
    from sync.events import EventInvalid, event_parse

    payload = {"order": "5c7a7f1e-7a3f-4a55-9d3b-8f0f3a1c2b4d", "at": "2026-11-23T12:00:00+00:00",
               "payments": [{"id": "5c7a7f1e-7a3f-4a55-9d3b-8f0f3a1c2b4e", "position": 0, "method": "cash",
                             "amount": "250", "tendered": 250, "change": 0}]}
    with pytest.raises(EventInvalid, match=r"^order\.paid: payments\[0\]\.amount: "):
        event_parse("order.paid", payload)
    with pytest.raises(EventInvalid, match="time zone"):
        event_parse("order.served", {"order": payload["order"], "at": "2026-11-23T12:00:00"})

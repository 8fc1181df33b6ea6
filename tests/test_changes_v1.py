"""The change log as posweb wrote it before payloads were typed (tests/fixtures/changes_v1.json).

The fixture is static: old databases and not-yet-upgraded peers hold exactly
these payloads, so every later version must parse and apply them.
"""

from __future__ import annotations

import json
import os

import pytest

from tests.changes_v1 import FIXTURE, changes_dump, figures, record_every_kind

pytestmark = pytest.mark.django_db


@pytest.mark.skipif(not os.environ.get("POS_WRITE_CHANGES_V1"), reason="writes the v1 fixture; run once, by hand")
def test_write_changes_v1(demo):
    record_every_kind()
    FIXTURE.parent.mkdir(exist_ok=True)
    data = {"changes": changes_dump(), "figures": figures()}
    FIXTURE.write_text(json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True) + "\n", encoding="utf-8")

"""The journal check behind health's ``journal_broken`` reason: ``journal_verify``
run by a worker at start and then every POS_JOURNAL_CHECK_S (daily by default).

A broken chain means a stored sale was altered, deleted or reordered; the
verdict is kept (runtime/health.py) until a later run finds the chain intact.
"""

from __future__ import annotations

from registers.journal import journal_verify
from runtime import health


def journal_check() -> None:
    problems = journal_verify()
    if problems:
        health.reason_set(health.JOURNAL, count=len(problems), error=str(problems[0])[:300])
    else:
        health.reason_clear(health.JOURNAL)

"""A command or a server starts with the garbage collector paused
(posweb/startup.py): it must be running again once it has started, or a
long-lived process would keep every reference cycle it ever made."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

PROBE = (
    "import gc; print(gc.isenabled(), gc.get_freeze_count() > 0); "
    "import posweb.asgi; print(gc.isenabled(), gc.get_freeze_count() > 0)"
)


def test_a_command_and_the_server_application_run_with_the_collector_on(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("POS_", "DJANGO_")) and k != "DATABASE_URL"}
    env.update(POS_DATA_DIR=str(tmp_path), POS_WORKERS="0")
    result = subprocess.run([sys.executable, "manage.py", "shell", "-c", PROBE], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    # After manage.py's start, and again after the ASGI application was built.
    assert result.stdout.split()[-4:] == ["True", "True", "True", "True"]

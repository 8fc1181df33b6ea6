"""``manage.py store_init`` sets up a new store node, with flags (scripts) or by
asking (an operator): keys in owner-only files, the node's environment with
POS_DEMO=0, a migrated database, and a first manager whose PIN opens it."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

from tests.nodes import ROOT

CHECK = (
    "from stores.selectors import staff_with_pin; from django.conf import settings; "
    "s = staff_with_pin(store=settings.POS_STORE, pin='{pin}'); "
    "print(settings.POS_STORE, settings.POS_NODE, settings.POS_DEMO, s and s.name, s and s.role)"
)


def clean_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("POS_", "DJANGO_", "SECRET_KEY")) and k != "DATABASE_URL"}
    env["DJANGO_SETTINGS_MODULE"] = "posweb.settings"
    return env


def run(*args: str, stdin: str = "", env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    # A session of its own: no terminal, so the PIN prompt reads standard input as a script's pipe would.
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, input=stdin, text=True, capture_output=True,
                          env=env or clean_env(), timeout=300, start_new_session=True)


def shell_line(env: dict[str, str], pin: str) -> list[str]:
    """What CHECK prints for ``pin``, in the node's environment (its last line: Django may say more first)."""
    done = subprocess.run([sys.executable, "manage.py", "shell", "-v", "0", "-c", CHECK.format(pin=pin)], cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip().splitlines()[-1].split()


def node_env(data_dir: Path) -> dict[str, str]:
    env = clean_env()
    for line in (data_dir / "node.env").read_text().splitlines():
        key, _, value = line.partition("=")
        env[key] = value
    return env


def test_store_init_with_flags_makes_a_real_store_node_whose_first_manager_opens_it(tmp_path):
    data = tmp_path / "s9-node1"
    pin_file = tmp_path / "pin"
    pin_file.write_text("2580\n")
    done = run("store_init", "--no-input", "--store", "S009", "--node", "s9-node1", "--data-dir", str(data),
               "--hq-url", "https://hq.example.com", "--manager-name", "初代 店長", "--manager-pin-file", str(pin_file))
    assert done.returncode == 0, done.stderr
    assert "add_store S009" in done.stdout
    env = node_env(data)
    assert env["POS_DEMO"] == "0" and env["POS_STORE"] == "S009" and env["POS_HQ_URL"] == "https://hq.example.com"
    assert "SECRET_KEY" not in env and "POS_SYNC_KEY" not in env  # secrets by file only
    for secret in ("secret_key", "sync_key"):
        assert stat.S_IMODE((data / secret).stat().st_mode) == 0o600
    assert shell_line(env, "2580") == ["S009", "s9-node1", "False", "初代", "店長", "manager"]
    assert shell_line(env, "1234")[3:] == ["None", "None"]  # no demo PIN on a real store

    # A sibling node of the same store shares the store's sync key.
    sibling = tmp_path / "s9-node2"
    again = run("store_init", "--no-input", "--store", "S009", "--node", "s9-node2", "--data-dir", str(sibling),
                "--sync-key-file", str(data / "sync_key"), "--manager-name", "初代 店長", stdin="2580\n")
    assert again.returncode == 0, again.stderr
    assert (sibling / "sync_key").read_text() == (data / "sync_key").read_text()
    assert (sibling / "secret_key").read_text() != (data / "secret_key").read_text()


def test_store_init_asks_for_what_it_is_not_given_and_asks_again_after_a_bad_answer(tmp_path):
    data = tmp_path / "asked"
    answers = "\n".join(["S 01", "S010", "", str(data), "", "", "", "店長 花子", "2580", "2580"]) + "\n"
    done = run("store_init", stdin=answers)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "may contain only letters" in done.stderr
    env = node_env(data)
    assert (env["POS_STORE"], env["POS_NODE"]) == ("S010", "s010-node1")  # the default node name was taken
    assert shell_line(env, "2580")[-3:] == ["店長", "花子", "manager"]


def test_store_init_without_input_names_what_is_missing(tmp_path):
    done = run("store_init", "--no-input", "--node", "x", "--data-dir", str(tmp_path / "x"))
    assert done.returncode != 0 and "Store code" in done.stderr
    bad_pin = run("store_init", "--no-input", "--store", "S011", "--node", "n", "--data-dir", str(tmp_path / "y"),
                  "--manager-name", "A", stdin="12\n")
    assert bad_pin.returncode != 0 and "4 to 8 digits" in bad_pin.stderr

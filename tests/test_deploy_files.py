"""The files in deploy/ are what an operator installs, so they are checked as
their own tools check them: systemd units with ``systemd-analyze verify``
(their commands pointing at this checkout's .venv), every HAProxy config under
deploy/ with ``haproxy -c``, and the documented production settings with
``manage.py check --deploy --fail-level WARNING``. The store unit's daphne
command is run as written (its ssl endpoint, a certificate from node_cert)."""

from __future__ import annotations

import os
import shlex
import shutil
import ssl
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.nodes import ROOT, free_port
from tests.personas import ci

DEPLOY = ROOT / "deploy"
UNITS = sorted((DEPLOY / "systemd").iterdir())
INSTALLED_AT = "/opt/posweb"


def tool(name: str) -> str:
    path = shutil.which(name)
    if not path:
        if ci():
            pytest.fail(f"{name} is missing and CI=true")
        pytest.skip(f"{name} is not installed")
    return path


def env_file(path: Path) -> dict[str, str]:
    values = {}
    for line in path.read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            key, _, value = line.partition("=")
            values[key] = value
    return values


def unit_settings(unit: Path) -> tuple[dict[str, str], dict[str, str]]:
    """The unit's Environment= values and its credentials (name -> source file)."""
    env, creds = {}, {}
    for line in unit.read_text().splitlines():
        if line.startswith("Environment="):
            key, _, value = line.removeprefix("Environment=").partition("=")
            env[key] = value
        elif line.startswith("LoadCredential="):
            name, _, source = line.removeprefix("LoadCredential=").partition(":")
            creds[name] = source
    return env, creds


def test_the_units_pass_systemd_analyze_verify(tmp_path):
    analyze = tool("systemd-analyze")
    assert {u.name for u in UNITS} >= {"posweb-store.service", "posweb-hq@.service", "posweb-backup.timer"}
    for unit in UNITS:
        (tmp_path / unit.name).write_text(unit.read_text().replace(INSTALLED_AT, str(ROOT)))
    # A template is verified through an instance, as systemctl would start it.
    shutil.copy(tmp_path / "posweb-hq@.service", tmp_path / "posweb-hq@8101.service")
    names = sorted(p.name for p in tmp_path.iterdir())
    result = subprocess.run([analyze, "verify", "--man=no", *names], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    problems = [line for line in (result.stdout + result.stderr).splitlines() if "posweb" in line]
    assert result.returncode == 0 and not problems, result.stdout + result.stderr


def test_every_haproxy_config_under_deploy_passes_haproxy_check():
    configs = sorted(DEPLOY.rglob("*.cfg"))
    if not configs:
        pytest.skip("no HAProxy config under deploy/ in this checkout")
    haproxy = tool("haproxy")
    for config in configs:
        result = subprocess.run([haproxy, "-c", "-f", str(config)], capture_output=True, text=True, timeout=60)
        assert result.returncode == 0, f"{config}: {result.stdout}{result.stderr}"


def manage_env(tmp_path: Path, documented: dict[str, str], unit: Path) -> dict[str, str]:
    """The environment the unit gives manage.py: the env file, the unit's own
    variables, and its credentials as files (with made-up secrets)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("POS_", "DJANGO_", "SECRET_KEY")) and k != "DATABASE_URL"}
    unit_env, creds = unit_settings(unit)
    credentials = tmp_path / "credentials"
    credentials.mkdir()
    secrets = {"secret_key": "k3y-" + "Qp9vR2sT5wY8zA1bC4dE6fG0hJ3kL5mN7pQ9rS2tU4vW6xY8zx7", "sync_key": "S001-sync-key-from-the-vault",
               "hq_signing_key": "5n8WdMmh0YxN2g8m3o6hC6pZ0cFvJ8Gm1kq9n3s7b2A=", "vapid_private_key": "unused-by-check"}
    for name in creds:
        (credentials / name).write_text(secrets.get(name, "x") + "\n")
    env.update(documented)
    env.update({k: v.replace("%d", str(credentials)) for k, v in unit_env.items()})
    env.update(POS_DATA_DIR=str(tmp_path / "data"), POS_WORKERS="0", DJANGO_SETTINGS_MODULE="posweb.settings")
    (tmp_path / "data").mkdir()
    return env


@pytest.mark.parametrize("role, unit", [("store", "posweb-store.service"), ("hq", "posweb-hq@.service")])
def test_the_documented_production_settings_pass_check_deploy(tmp_path, role, unit):
    documented = env_file(DEPLOY / "env" / f"{role}.env.example")
    assert documented["POS_DEMO"] == "0" and documented["POS_TLS"] == "1"
    env = manage_env(tmp_path, documented, DEPLOY / "systemd" / unit)
    assert "SECRET_KEY" not in documented and "SECRET_KEY_FILE" in env  # secrets come from files
    result = subprocess.run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
                            cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0 and "no issues" in result.stdout, result.stdout + result.stderr


def exec_start(unit: Path) -> list[str]:
    line = next(x for x in unit.read_text().splitlines() if x.startswith("ExecStart="))
    return shlex.split(line.removeprefix("ExecStart="))


@pytest.mark.nodes
def test_the_store_units_daphne_command_serves_https_with_a_node_certificate(tmp_path):
    unit = DEPLOY / "systemd" / "posweb-store.service"
    env = manage_env(tmp_path, env_file(DEPLOY / "env" / "store.env.example"), unit)
    env.update(POS_PEERS="", POS_HQ_URL="", POS_HQ_PUBLIC_KEY="", POS_ALLOWED_HOSTS="pos1.s001.store.lan,127.0.0.1")
    tls = tmp_path / "tls"
    for args in (["store_ca", "--domain", "s001.store.lan", "--out", str(tls)],
                 ["node_cert", "pos1.s001.store.lan", "127.0.0.1", "--ca", str(tls), "--out", str(tls)]):
        subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True, capture_output=True, timeout=120)
    (tmp_path / "credentials" / "node.key").write_bytes((tls / "node.key").read_bytes())
    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput"], cwd=ROOT, env=env, check=True, capture_output=True, timeout=300)
    port = free_port()
    command = [arg.replace(INSTALLED_AT, str(ROOT)).replace("%d", str(tmp_path / "credentials"))
               .replace("/etc/posweb/tls/node.pem", str(tls / "node.pem")).replace("ssl:443:", f"ssl:{port}:interface=127.0.0.1:")
               for arg in exec_start(unit)]
    log = open(tmp_path / "daphne.log", "wb")
    proc = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    context = ssl.create_default_context(cafile=str(tls / "store-ca.pem"))
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"https://127.0.0.1:{port}/api/health", timeout=2, context=context) as response:
                    assert response.status == 200
                    assert response.headers["Strict-Transport-Security"].startswith("max-age=")
                    break
            except OSError:
                assert proc.poll() is None, (tmp_path / "daphne.log").read_text()[-3000:]
                assert time.monotonic() < deadline, (tmp_path / "daphne.log").read_text()[-3000:]
                time.sleep(0.3)
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def test_the_store_certificate_script_makes_the_ca_once_and_a_certificate_per_node(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("POS_", "DJANGO_"))}
    env.update(OUT=str(tmp_path / "issue"), PY=sys.executable, POS_DATA_DIR=str(tmp_path / "data"), POS_WORKERS="0")
    script = [str(DEPLOY / "tls" / "store-certs.sh"), "s001.store.lan", "pos1=10.0.0.2", "pos2=10.0.0.3"]
    subprocess.run(script, cwd=ROOT, env=env, check=True, capture_output=True, timeout=300)
    ca = (tmp_path / "issue" / "ca" / "store-ca.pem").read_bytes()
    subprocess.run(script[:3], cwd=ROOT, env=env, check=True, capture_output=True, timeout=300)  # a new cert for pos1
    assert (tmp_path / "issue" / "ca" / "store-ca.pem").read_bytes() == ca  # the tablets' CA is kept
    context = ssl.create_default_context(cafile=str(tmp_path / "issue" / "pos2" / "store-ca.pem"))
    for node in ("pos1", "pos2"):
        folder = tmp_path / "issue" / node
        assert (folder / "node.key").stat().st_mode & 0o077 == 0
        context.load_cert_chain(folder / "node.pem", folder / "node.key")  # key and certificate belong together

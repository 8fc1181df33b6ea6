"""The test overlay: a throw-away data directory, a fixed node name and a
published test HQ key pair, set before the real settings read the
environment. Nothing else differs."""

import os
import tempfile

os.environ.setdefault("POS_DATA_DIR", tempfile.mkdtemp(prefix="posweb-test-"))
os.environ.setdefault("POS_NODE", "test-node")
os.environ.pop("REDIS_URL", None)
os.environ.setdefault("POS_WORKERS", "0")
# HQ's signing key pair for in-process tests, public on purpose: a test plays
# HQ (tests/replication_fixtures.py signs HQ origins' changes with it) and
# the node under test verifies with the public half, as a store would.
TEST_HQ_SIGNING_KEY = "2yCAr+M/1iUsw+C+7lk7X/0Y1BtpUg79OC8rQiVi/Tk="
os.environ.setdefault("POS_HQ_SIGNING_KEY", TEST_HQ_SIGNING_KEY)
os.environ.setdefault("POS_HQ_PUBLIC_KEY", "JImHpBVhB7bOj6gqwFI/74eWhKqJpeAVGVvNAVe7wjE=")

from posweb.settings import *  # noqa: E402,F403

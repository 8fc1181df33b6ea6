"""The test overlay: a throw-away data directory and a fixed node name, set
before the real settings read the environment. Nothing else differs."""

import os
import tempfile

os.environ.setdefault("POS_DATA_DIR", tempfile.mkdtemp(prefix="posweb-test-"))
os.environ.setdefault("POS_NODE", "test-node")
os.environ.pop("REDIS_URL", None)
os.environ.setdefault("POS_WORKERS", "0")

from posweb.settings import *  # noqa: E402,F403

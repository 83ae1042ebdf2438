"""config.wsgi's application loads, before it serves anything, what a process would otherwise load on its first
request: a gunicorn worker builds the application before it accepts connections, so this is what keeps the
first requests after a start or restart from waiting half a second behind the URLconf's imports."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
PROBE = """
import json, sys
import config.wsgi
from django.urls import get_resolver
from django.utils.translation import trans_real
from django.db import connections
resolver = get_resolver()
print(json.dumps({
    "populated": resolver._populated,
    "views": [m for m in ("fugong.screening.views_checkin", "fugong.workforce.views", "config.api")
              if m in sys.modules],
    "catalogues": sorted(trans_real._translations),
    "connected": any(c.connection is not None for c in connections.all(initialized_only=True)),
}))
"""


def test_a_fresh_process_is_warm_before_its_first_request(tmp_path):
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="config.settings", FUGONG_VAR_DIR=str(tmp_path))
    done = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=True
    )
    state = json.loads(done.stdout.strip().splitlines()[-1])
    assert state["populated"] is True  # the URLconf imported and its reverse index built
    assert state["views"] == ["fugong.screening.views_checkin", "fugong.workforce.views", "config.api"]
    assert {"zh-hans", "en"} <= set(state["catalogues"])
    assert state["connected"] is False  # no database connection is opened before the fork

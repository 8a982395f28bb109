"""lib.cached: rows kept between requests are dropped when they change, in every process."""

import os
import subprocess
import sys

from django.conf import settings

from frontline.lib import cached


def test_a_change_in_another_process_drops_this_process_copies(db):
    loads = []
    assert cached.read("probe", lambda: loads.append(1) or "old") == "old"
    assert cached.read("probe", lambda: loads.append(1) or "new") == "old"  # kept
    # Another web process (same data directory, its own local-memory cache) changes a row.
    code = "import django; django.setup(); from frontline.lib import cached; cached.forget('x')"
    env = {**os.environ, "FRONTLINE_DATA_DIR": str(settings.DATA_DIR)}
    env.pop("REDIS_URL", None)
    subprocess.run([sys.executable, "-c", code], env=env, check=True)
    if settings.REDIS_URL:  # one shared cache: only the key that changed is dropped
        assert cached.read("probe", lambda: "new") == "old"
        cached.forget("probe")
    assert cached.read("probe", lambda: loads.append(1) or "new") == "new"
    assert len(loads) == 2


def test_forgetting_a_row_here_drops_it_at_once(db, django_capture_on_commit_callbacks):
    assert cached.read("probe", lambda: "old") == "old"
    with django_capture_on_commit_callbacks(execute=True):
        cached.forget("probe")
    assert cached.read("probe", lambda: "new") == "new"

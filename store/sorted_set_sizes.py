"""The sizes (ZCARD) of many sorted sets in one command per Redis: a look-up asks for the document
frequencies of some 1,500 features at once, and as a pipeline of 1,500 ZCARDs redis-py spends about
6 ms packing and parsing them, against about 1 ms for one script that reads them all.

In a Redis Cluster the script runs once on each node, over the keys that node holds: Redis 7's
`allow-cross-slot-keys` lets one script read keys of several slots of its own node. Should a node
refuse it (keys moving between nodes while slots are migrated), those keys are read as a pipeline,
which redis-py routes and retries key by key.
"""

from __future__ import annotations

from collections import defaultdict

import redis
from redis.cluster import RedisCluster

SIZES = ("#!lua flags=no-writes,allow-cross-slot-keys\n"
         "local n = {}\nfor i, k in ipairs(KEYS) do n[i] = redis.call('ZCARD', k) end\nreturn n\n")


def _pipelined(r: redis.Redis, keys: list[str]) -> list[int]:
    pipe = r.pipeline(transaction=False)
    for k in keys:
        pipe.zcard(k)
    return [int(n) for n in pipe.execute()]


def sizes(r: redis.Redis, keys: list[str]) -> list[int]:
    """ZCARD of each key, in order (0 for a key that does not exist)."""
    if not keys:
        return []
    if not isinstance(r, RedisCluster):
        return [int(n) for n in r.execute_command("EVAL", SIZES, len(keys), *keys)]
    by_node: dict[str, list[int]] = defaultdict(list)
    for i, k in enumerate(keys):
        by_node[r.get_node_from_key(k).name].append(i)
    out = [0] * len(keys)
    for name, at in by_node.items():
        part = [keys[i] for i in at]
        try:
            found = r.execute_command("EVAL", SIZES, len(part), *part, target_nodes=r.get_node(node_name=name))
        except redis.RedisError:  # a slot on the move: let redis-py route each key
            found = _pipelined(r, part)
        for i, n in zip(at, found, strict=True):
            out[i] = int(n)
    return out

"""Per-client rate limits, counted in Redis so every API process shares them.

Each limit ("100/second") is a sliding-window counter: the requests of the current window plus
those of the previous one, weighed by the share of it that still overlaps the last `period`
seconds; close to a moving window at the cost of two counters. A request is counted only when
every limit lets it in. The check is Lua (CHECK), so the job script (store/jobs.py) runs it first
and an accepted POST costs one round trip; other requests run it alone (`hit`).

Limits are written as `limits` (the library) parses them: '100/second', '10 per minute; 1000/hour'.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import redis
from limits import parse_many
from redis.commands.core import Script

COUNTERS = "enr:limits:"  # in the stores' key space (store/jobs.py PREFIX), which imports this module


@dataclass(frozen=True)
class Limit:
    amount: int
    period: int  # seconds

    def __str__(self) -> str:
        return f"{self.amount} per {self.period} s"


def parse(value: str | None) -> list[Limit]:
    """RATE_LIMIT's limits ([] for none); raises ValueError on what `limits` cannot read."""
    return [Limit(item.amount, item.get_expiry()) for item in parse_many(value)] if value else []


# A Lua function: check every limit whose counters are KEYS[first], KEYS[first + 1], ... (current,
# previous window, per limit) against `spec` ("amount period elapsed ..." per limit, elapsed being
# the seconds since the current window began); count the request in every current window and
# return 0 if all let it in, else the whole seconds until the tightest one would.
CHECK = """
local function rate_check(first, spec)
  local i, wait, limits = first, 0, {}
  for amount, period, elapsed in string.gmatch(spec, '(%S+) (%S+) (%S+)') do
    local a, p, e = tonumber(amount), tonumber(period), tonumber(elapsed)
    local cur = tonumber(redis.call('GET', KEYS[i]) or '0')
    local prev = tonumber(redis.call('GET', KEYS[i + 1]) or '0')
    if prev * (p - e) / p + cur + 1 > a then
      local w
      if cur + 1 > a then
        w = (p - e) + p * math.max(0, 1 - (a - 1) / cur)
      else
        w = (p - e) - p * (a - 1 - cur) / prev
      end
      wait = math.max(wait, w)
    end
    limits[#limits + 1] = {KEYS[i], p}
    i = i + 2
  end
  if wait > 0 then return math.max(1, math.ceil(wait)) end
  for _, limit in ipairs(limits) do
    redis.call('INCR', limit[1])
    redis.call('EXPIRE', limit[1], 2 * limit[2])
  end
  return 0
end
"""
HIT = CHECK + "return rate_check(1, ARGV[1])\n"
# redis-py's Script: EVALSHA, and the script loaded again when Redis answers NOSCRIPT (a restart or
# SCRIPT FLUSH: the script did not run, so nothing was counted).
_HIT = Script(None, HIT.encode())  # type: ignore[arg-type]


def client_counter(client: str) -> str:
    """Whose requests a client's counters count: one name for its POSTs (counted by the job script)
    and its other requests."""
    return f"client:{client}"


def keys_and_spec(who: str, limits: list[Limit], now: float | None = None) -> tuple[list[str], str]:
    """The counters (current and previous window of each limit) and the spec CHECK reads."""
    now = time.time() if now is None else now
    keys, spec = [], []
    for limit in limits:
        window = math.floor(now / limit.period)
        name = f"{COUNTERS}{who}:{limit.amount}/{limit.period}"
        keys += [f"{name}:{window}", f"{name}:{window - 1}"]
        spec.append(f"{limit.amount} {limit.period} {now - window * limit.period:.3f}")
    return keys, " ".join(spec)


def hit(r: redis.Redis, who: str, limits: list[Limit]) -> int:
    """Count one request of `who` against `limits`: 0 when let in, else seconds to wait (uncounted)."""
    if not limits:
        return 0
    keys, spec = keys_and_spec(who, limits)
    return int(_HIT(keys=keys, args=[spec], client=r))

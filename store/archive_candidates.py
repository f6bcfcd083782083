"""The articles a look-up's postings name, scored together: each one's summed feature weight
(`overlap`) and epoch, as numpy arrays in one order, so scoring thousands of postings costs little
and only the few kept become (archive, number) handles (store/archive_index.py)."""

from __future__ import annotations

from collections.abc import Collection

import numpy as np

from store.archive_index import Handle, Postings


class Candidates:
    """The articles some features' postings name, with `overlap` (the summed weights of the
    features whose postings name each) and `epoch`, never an `excluded` one."""

    def __init__(self, found: Postings, weights: dict[str, float], excluded: Collection[Handle] = ()) -> None:
        self.archives = sorted({archive for parts in found.values() for archive, _ in parts})
        position = {archive: i for i, archive in enumerate(self.archives)}
        keys, epochs, weight = [np.empty(0, np.int64)], [np.empty(0, np.int64)], [np.empty(0)]
        for feature, parts in found.items():
            for archive, pairs in parts:
                keys.append(pairs[:, 0] * len(position) + position[archive])
                epochs.append(pairs[:, 1])
                weight.append(np.full(len(pairs), weights[feature]))
        self.keys, first, inverse = np.unique(np.concatenate(keys), return_index=True, return_inverse=True)
        self.overlap = np.bincount(inverse, weights=np.concatenate(weight), minlength=len(self.keys))
        self.epoch = np.concatenate(epochs)[first].astype(float)
        if excluded:
            keep = ~np.isin(self.keys, [self._key(h) for h in excluded])
            self.keys, self.overlap, self.epoch = self.keys[keep], self.overlap[keep], self.epoch[keep]

    def _key(self, handle: Handle) -> int:
        """Where a handle sorts among the keys; -1 (no key) for an archive none of them is from."""
        archive, number = handle
        return number * len(self.archives) + self.archives.index(archive) if archive in self.archives else -1

    def _handle(self, k: int) -> Handle:
        return self.archives[k % len(self.archives)], k // len(self.archives)

    def ranked(self, score: np.ndarray, limit: int, at_least: float = -np.inf) -> list[Handle]:
        """The `limit` best by `score` (at least `at_least`), ties by handle."""
        chosen = np.flatnonzero(score >= at_least)
        if len(chosen) > limit:  # the best `limit`, and any tied with the last of them
            chosen = chosen[score[chosen] >= np.partition(score[chosen], -limit)[-limit]]
        handles = [(self._handle(int(k)), float(v)) for k, v in zip(self.keys[chosen], score[chosen], strict=True)]
        return [h for h, _ in sorted(handles, key=lambda hv: (-hv[1], hv[0]))[:limit]]

    def overlap_of(self, handles: list[Handle]) -> dict[Handle, float]:
        """The overlap of each of these handles (0 for those not among the candidates)."""
        if not len(self.keys):
            return dict.fromkeys(handles, 0.0)
        wanted = np.array([self._key(h) for h in handles], dtype=np.int64)
        at = np.minimum(np.searchsorted(self.keys, wanted), len(self.keys) - 1)
        return {h: float(self.overlap[i]) if self.keys[i] == k else 0.0
                for h, i, k in zip(handles, at.tolist(), wanted.tolist(), strict=True)}

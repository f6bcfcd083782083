"""Which sentences state a consequence: a cause and its effect, a forecast, a risk, a warning.

A sentence classifier fine-tuned on the Causal News Corpus (training/consequence/): the first three
layers of MiniLM-L6, run with onnxruntime on one thread (int8 weights). It ships as the
`newsroom_consequence` wheel, installed by scripts/setup.sh like the NER model; loaded once per
process.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np

from enrich.onnx_model import OnnxModel

MAX_TOKENS = 96  # a long news sentence; longer ones are cut (training cut at 128)
BATCH = 16


class ConsequenceModel(OnnxModel):
    def __init__(self, directory: Path) -> None:
        super().__init__(directory, MAX_TOKENS)

    def scores(self, sentences: list[str]) -> list[float]:
        """Probability that each sentence states a consequence, in order."""
        by_index: dict[int, float] = {}
        for chunk, logits in self.batches(sentences, BATCH):
            shifted = np.exp(logits - logits.max(axis=1, keepdims=True))
            probabilities = shifted[:, 1] / shifted.sum(axis=1)
            by_index.update(zip(chunk, probabilities.tolist(), strict=True))
        return [round(by_index[i], 4) for i in range(len(sentences))]


@lru_cache(maxsize=1)
def model() -> ConsequenceModel:
    import newsroom_consequence  # the wheel built by training/consequence/train.sh

    return ConsequenceModel(Path(newsroom_consequence.__file__).parent)


def scores(sentences: list[str]) -> list[float]:
    return model().scores(sentences) if sentences else []

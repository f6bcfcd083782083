"""Which sentences state a consequence: a cause and its effect (causal), or what is to come (a
forecast, plan, risk, warning: ahead).

One sentence encoder with two heads (training/consequence/): the first three layers of MiniLM-L6,
the causal head fine-tuned on the Causal News Corpus, the look-ahead head on TempEval-3's dates to
come; run with onnxruntime on one thread (int8 weights), one pass a sentence for both. It ships as
the `newsroom_consequence` wheel, installed by scripts/setup.sh; loaded once per process.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np

from enrich.onnx_model import OnnxModel

MAX_TOKENS = 96  # a long news sentence; longer ones are cut (training cut at 128)
# One sentence a run: no padding, and a sentence reads the same whatever it is read with (int8
# activations are scaled per run); on one thread also the fastest (python -m evaluation.batch_speed).
BATCH = 1


class ConsequenceModel(OnnxModel):
    def __init__(self, directory: Path) -> None:
        super().__init__(directory, MAX_TOKENS)

    def read(self, sentences: list[str]) -> list[tuple[float, float]]:
        """(probability of stating a cause and its effect, probability of looking ahead) for each
        sentence, in order."""
        by_index: dict[int, tuple[float, float]] = {}
        for chunk, logits in self.batches(sentences, BATCH):
            causal, ahead = _softmax(logits[:, :2])[:, 1], _softmax(logits[:, 2:])[:, 1]
            by_index.update(zip(chunk, zip(causal.tolist(), ahead.tolist(), strict=True), strict=True))
        return [(round(by_index[i][0], 4), round(by_index[i][1], 4)) for i in range(len(sentences))]


def _softmax(logits: np.ndarray) -> np.ndarray:
    shifted = np.exp(logits - logits.max(axis=1, keepdims=True))
    return shifted / shifted.sum(axis=1, keepdims=True)


@lru_cache(maxsize=1)
def model() -> ConsequenceModel:
    import newsroom_consequence  # the wheel built by training/consequence/train.sh

    return ConsequenceModel(Path(newsroom_consequence.__file__).parent)


def read(sentences: list[str]) -> list[tuple[float, float]]:
    """(causal, ahead) probabilities of each sentence."""
    return model().read(sentences) if sentences else []


def scores(sentences: list[str]) -> list[float]:
    """The probability that each sentence states a consequence: causal, or looking ahead."""
    return [max(causal, ahead) for causal, ahead in read(sentences)]

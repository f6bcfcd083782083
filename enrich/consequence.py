"""Which sentences state a consequence: a cause and its effect (causal), or what is to come (a
forecast, plan, risk, warning: ahead); and what each is about (its implication category).

One sentence encoder with three heads: the first three layers of MiniLM-L6, the causal head
fine-tuned on the Causal News Corpus, the look-ahead head on TempEval-3's dates to come
(training/consequence/), the category head fitted to a zero-shot teacher's labels of news sentences
(training/categories/encoder_head.py); run with onnxruntime on one thread (int8 weights), one pass a
sentence for all three. It ships as the `newsroom_consequence` wheel, installed by scripts/setup.sh;
loaded once per process. A sentence read once is remembered (READ_CACHE sentences a process): the
categories and the heads of one enrichment, and an archive sentence many articles cite, cost one pass.
"""

from __future__ import annotations

import json
from collections import OrderedDict
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

import numpy as np

from enrich.onnx_model import OnnxModel

MAX_TOKENS = 96  # a long news sentence; longer ones are cut (training cut at 128)
# One sentence a run: no padding, and a sentence reads the same whatever it is read with (int8
# activations are scaled per run); on one thread also the fastest (python -m evaluation.batch_speed).
BATCH = 1
READ_CACHE = 20_000  # sentences remembered per process (a few MB)


class Reading(NamedTuple):
    causal: float  # probability of stating a cause and its effect
    ahead: float  # probability of looking ahead
    about: dict[str, float]  # each category's probability (enrich/categories.py's, and `other`), summing to 1


class ConsequenceModel(OnnxModel):
    def __init__(self, directory: Path) -> None:
        super().__init__(directory, MAX_TOKENS)
        self.classes: list[str] = json.loads(self.session.get_modelmeta().custom_metadata_map["categories"])
        self.remembered: OrderedDict[str, Reading] = OrderedDict()

    def readings(self, sentences: list[str]) -> list[Reading]:
        """Each sentence's reading, in order; a sentence read before is not read again."""
        new = list(dict.fromkeys(s for s in sentences if s not in self.remembered))
        for chunk, logits in self.batches(new, BATCH):
            causal, ahead = _softmax(logits[:, :2])[:, 1], _softmax(logits[:, 2:4])[:, 1]
            about = _softmax(logits[:, 4:])
            for row, i in enumerate(chunk):
                self.remembered[new[i]] = Reading(
                    round(float(causal[row]), 4), round(float(ahead[row]), 4),
                    {c: round(float(p), 4) for c, p in zip(self.classes, about[row], strict=True)})
        out = []
        for sentence in sentences:
            self.remembered.move_to_end(sentence)
            out.append(self.remembered[sentence])
        while len(self.remembered) > READ_CACHE:
            self.remembered.popitem(last=False)
        return out


    def read(self, sentences: list[str]) -> list[tuple[float, float]]:
        """(causal, look-ahead) probabilities of each sentence."""
        return [(r.causal, r.ahead) for r in self.readings(sentences)]


def _softmax(logits: np.ndarray) -> np.ndarray:
    shifted = np.exp(logits - logits.max(axis=1, keepdims=True))
    return shifted / shifted.sum(axis=1, keepdims=True)


@lru_cache(maxsize=1)
def model() -> ConsequenceModel:
    import newsroom_consequence  # the wheel built by training/consequence/train.sh

    return ConsequenceModel(Path(newsroom_consequence.__file__).parent)


def readings(sentences: list[str]) -> list[Reading]:
    """Each sentence's causal, look-ahead and category probabilities."""
    return model().readings(sentences) if sentences else []


def read(sentences: list[str]) -> list[tuple[float, float]]:
    """(causal, ahead) probabilities of each sentence."""
    return model().read(sentences) if sentences else []


def forget() -> None:
    """Forget every sentence read (a benchmark times each article cold)."""
    model().remembered.clear()


def about(sentences: list[str]) -> list[dict[str, float]]:
    """Each sentence's category probabilities (and `other`'s)."""
    return [r.about for r in readings(sentences)]


def scores(sentences: list[str]) -> list[float]:
    """The probability that each sentence states a consequence: causal, or looking ahead."""
    return [max(causal, ahead) for causal, ahead in read(sentences)]

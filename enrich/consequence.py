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
import onnxruntime
from tokenizers import Tokenizer

MAX_TOKENS = 96  # a long news sentence; longer ones are cut (training cut at 128)
BATCH = 16


class ConsequenceModel:
    def __init__(self, directory: Path) -> None:
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        self.session = onnxruntime.InferenceSession(str(directory / "model.onnx"), options,
                                                    providers=["CPUExecutionProvider"])
        self.tokenizer = Tokenizer.from_file(str(directory / "tokenizer.json"))
        self.tokenizer.enable_truncation(MAX_TOKENS)
        self.tokenizer.enable_padding()
        self.inputs = {i.name for i in self.session.get_inputs()}

    def scores(self, sentences: list[str]) -> list[float]:
        """Probability that each sentence states a consequence, in order."""
        # Similar lengths share a batch, so little padding is computed.
        order = sorted(range(len(sentences)), key=lambda i: len(sentences[i]))
        by_index: dict[int, float] = {}
        for at in range(0, len(order), BATCH):
            chunk = order[at:at + BATCH]
            encoded = self.tokenizer.encode_batch([sentences[i] for i in chunk])
            feed = {"input_ids": np.array([e.ids for e in encoded], dtype=np.int64),
                    "attention_mask": np.array([e.attention_mask for e in encoded], dtype=np.int64),
                    "token_type_ids": np.array([e.type_ids for e in encoded], dtype=np.int64)}
            logits = self.session.run(None, {k: v for k, v in feed.items() if k in self.inputs})[0]
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

"""Sentence and article embeddings: all-MiniLM-L6-v2, exported with mean pooling and int8 weights
(training/encoder/), run by onnxruntime on one thread. Ships as the `newsroom_encoder` wheel,
installed by scripts/setup.sh; loaded once per process. Vectors have length one, so a dot product
is a cosine.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np
import onnxruntime
from tokenizers import Tokenizer

ARTICLE_TOKENS = 128  # an article is read by its headline and lead: ~10 ms on one core
BATCH = 16


class Encoder:
    def __init__(self, directory: Path) -> None:
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        self.session = onnxruntime.InferenceSession(str(directory / "model.onnx"), options,
                                                    providers=["CPUExecutionProvider"])
        self.tokenizer = Tokenizer.from_file(str(directory / "tokenizer.json"))
        self.tokenizer.enable_padding()
        self.inputs = {i.name for i in self.session.get_inputs()}
        self.size = int(self.session.get_outputs()[0].shape[-1])

    def embed(self, texts: list[str], max_tokens: int = ARTICLE_TOKENS) -> np.ndarray:
        """(len(texts), 384) unit vectors, in order; each text cut at max_tokens word pieces."""
        self.tokenizer.enable_truncation(max_tokens)
        out = np.zeros((len(texts), self.size), dtype=np.float32)
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))  # little padding per batch
        for at in range(0, len(order), BATCH):
            chunk = order[at:at + BATCH]
            encoded = self.tokenizer.encode_batch([texts[i] for i in chunk])
            feed = {"input_ids": np.array([e.ids for e in encoded], dtype=np.int64),
                    "attention_mask": np.array([e.attention_mask for e in encoded], dtype=np.int64),
                    "token_type_ids": np.array([e.type_ids for e in encoded], dtype=np.int64)}
            out[chunk] = self.session.run(None, {k: v for k, v in feed.items() if k in self.inputs})[0]
        return out


@lru_cache(maxsize=1)
def encoder() -> Encoder:
    import newsroom_encoder  # the wheel built by training/encoder/build.sh

    return Encoder(Path(newsroom_encoder.__file__).parent)


def article_text(title: str, text: str) -> str:
    """What an article's embedding reads: its headline, then its body (cut at ARTICLE_TOKENS)."""
    return f"{title}.\n{text}" if title else text


def embed_article(title: str, text: str) -> np.ndarray:
    return encoder().embed([article_text(title, text)])[0]

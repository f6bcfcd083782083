"""Sentence and article embeddings: all-MiniLM-L6-v2, exported with mean pooling and int8 weights
(training/encoder/), run by onnxruntime on one thread. Ships as the `newsroom_encoder` wheel,
installed by scripts/setup.sh; loaded once per process. Vectors have length one, so a dot product
is a cosine.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np

from enrich.onnx_model import OnnxModel

# An article is read by its headline and lead. 96 word pieces: 8.2 ms p50 on one core, against 11.0
# at 128 and 5.8 at 64, with the same topic accuracy on the tuning half as 128 (0.9917/0.9936 by
# fold, against 0.9919/0.9938); chosen there, for the 10 ms budget (docs/evaluation.md).
ARTICLE_TOKENS = 96
BATCH = 16


class Encoder(OnnxModel):
    def __init__(self, directory: Path) -> None:
        super().__init__(directory)
        self.size = int(self.session.get_outputs()[0].shape[-1])

    def embed(self, texts: list[str], max_tokens: int = ARTICLE_TOKENS) -> np.ndarray:
        """(len(texts), 384) unit vectors, in order; each text cut at max_tokens word pieces."""
        self.tokenizer.enable_truncation(max_tokens)
        out = np.zeros((len(texts), self.size), dtype=np.float32)
        for chunk, vectors in self.batches(texts, BATCH):
            out[chunk] = vectors
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

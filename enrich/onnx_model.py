"""An ONNX model and its tokenizer as the enrichment runs them: onnxruntime on one thread (one core
per worker process), int8 weights, batches of similar-length texts."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import onnxruntime
from tokenizers import Encoding, Tokenizer


class OnnxModel:
    def __init__(self, directory: Path, max_tokens: int | None = None) -> None:
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        self.session = onnxruntime.InferenceSession(str(directory / "model.onnx"), options,
                                                    providers=["CPUExecutionProvider"])
        self.tokenizer = Tokenizer.from_file(str(directory / "tokenizer.json"))
        if max_tokens:
            self.tokenizer.enable_truncation(max_tokens)
        self.tokenizer.enable_padding()
        self.inputs = {i.name for i in self.session.get_inputs()}

    def batches(self, texts: list[str], size: int) -> Iterator[tuple[list[int], np.ndarray]]:
        """(indices of the texts, the model's first output for them), similar lengths batched together
        so that little padding is computed."""
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        for at in range(0, len(order), size):
            chunk = order[at:at + size]
            encoded = self.tokenizer.encode_batch([texts[i] for i in chunk])
            yield chunk, self.session.run(None, self._feed(encoded))[0]

    def _feed(self, encoded: list[Encoding]) -> dict[str, np.ndarray]:
        feed = {"input_ids": np.array([e.ids for e in encoded], dtype=np.int64),
                "attention_mask": np.array([e.attention_mask for e in encoded], dtype=np.int64),
                "token_type_ids": np.array([e.type_ids for e in encoded], dtype=np.int64)}
        return {k: v for k, v in feed.items() if k in self.inputs}

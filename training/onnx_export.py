"""Export a PyTorch text model to ONNX with int8 weights, as the service runs it (enrich/onnx_model.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import torch
from onnxruntime.quantization import QuantType, quantize_dynamic

INPUTS = ("input_ids", "attention_mask", "token_type_ids")


def export_int8(model: torch.nn.Module, sample: Any, work: Path, package: Path, output: str) -> None:
    """`package`/model.onnx: `model` traced on `sample` (a tokenizer's batch), batch and length
    dynamic, weights quantised to int8; the fp32 graph is left in `work`."""
    full = work / "model-fp32.onnx"
    torch.onnx.export(model, tuple(sample[name] for name in INPUTS), str(full), input_names=list(INPUTS),
                      output_names=[output], opset_version=17, dynamo=False,
                      dynamic_axes={name: {0: "batch", 1: "tokens"} for name in INPUTS})
    quantize_dynamic(str(full), str(package / "model.onnx"), weight_type=QuantType.QInt8)

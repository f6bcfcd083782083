"""A category head on the consequence model's encoder (make train-category-head): the implication
categories read in the same pass as the causal and look-ahead heads (enrich/consequence.py).

1. The consequence wheel's int8 graph is opened and its mean-pooled sentence vector (what both
   heads read) exposed; every sentence of the category training pool (training/categories/train.py:
   training stories only, never a held-out one) is read through it as the service reads, one
   sentence a run.
2. A multinomial logistic regression over those vectors is fitted to the same teacher labels as the
   stem student (all-MiniLM-L6-v2 against the written category descriptions), its strength chosen by
   agreement with the teacher on a tenth of the pool kept aside; the stem student is fitted and
   scored on the same tenth beside it, as the baseline.
3. The head (384 x classes, float weights) is added to the graph after the pooled vector, its
   logits appended to the output, the class order stored in the model's metadata ("categories").
   The encoder and the two heads are left as they were, so their outputs do not change.

    python training/categories/encoder_head.py --data ../shared/data --package DIR

DIR holds the consequence model's model.onnx and tokenizer.json (a built or unpacked
newsroom_consequence package); its model.onnx is rewritten with the head (a head already there is
replaced).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import sys
import tempfile
from pathlib import Path

import numpy as np
import onnx
from onnx import helper, numpy_helper
from sklearn.feature_extraction.text import CountVectorizer

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from enrich.consequence import MAX_TOKENS  # noqa: E402
from enrich.onnx_model import OnnxModel  # noqa: E402
from evaluation.stem_categories import tokens  # noqa: E402
from training.categories.train import fit_student, teacher, training_pool  # noqa: E402


def pooled_name(graph: onnx.GraphProto) -> str:
    """The mean-pooled vector the causal head reads: the input of the quantiser feeding its product."""
    quantised = {n.output[0]: n.input[0] for n in graph.node if n.op_type == "DynamicQuantizeLinear"}
    for node in graph.node:
        if node.op_type == "MatMulInteger" and node.input[1].startswith("causal.weight"):
            return quantised[node.input[0]]
    raise ValueError("no causal head in this graph")


def read_pooled(model: onnx.ModelProto, package: Path, texts: list[str], cache: Path) -> np.ndarray:
    """Each text's pooled vector, read as the service reads (enrich/onnx_model.py: one thread, one
    text a run, consequence.MAX_TOKENS word pieces), cached by graph and texts."""
    if cache.exists():
        return np.load(cache)
    name = pooled_name(model.graph)
    exposed = onnx.ModelProto()
    exposed.CopyFrom(model)
    del exposed.graph.output[:]
    exposed.graph.output.append(helper.make_tensor_value_info(name, onnx.TensorProto.FLOAT, None))
    out = np.zeros((len(texts), 384), dtype=np.float32)
    with tempfile.TemporaryDirectory() as directory:
        onnx.save(exposed, Path(directory) / "model.onnx")
        shutil.copy(package / "tokenizer.json", directory)
        reader = OnnxModel(Path(directory), MAX_TOKENS)
        for n, (chunk, vectors) in enumerate(reader.batches(texts, 1)):
            out[chunk] = vectors
            if n % 5000 == 0:
                print(f"  pooled: {n:,} of {len(texts):,}", flush=True)
    cache.parent.mkdir(exist_ok=True)
    np.save(cache, out)
    return out


HEADS = 2  # the causal and look-ahead heads' logits come first in the output, two each


def without_head(model: onnx.ModelProto) -> onnx.ModelProto:
    """The graph as training/consequence/train.py exported it: a category head it has is removed."""
    graph = model.graph
    for node in [n for n in graph.node if n.output[0].startswith("/category/")]:
        graph.node.remove(node)
    for tensor in [t for t in graph.initializer if t.name.startswith("category.")]:
        graph.initializer.remove(tensor)
    concat = next(n for n in graph.node if n.output[0] == graph.output[0].name)
    del concat.input[HEADS:]
    graph.output[0].type.tensor_type.shape.dim[1].dim_value = 2 * HEADS
    del model.metadata_props[:]
    return model


def with_head(model: onnx.ModelProto, weights: np.ndarray, bias: np.ndarray, classes: list[str]) -> onnx.ModelProto:
    """The graph with the category head's logits appended to its output (batch, 4 + classes)."""
    graph = model.graph
    concat = next(n for n in graph.node if n.output[0] == graph.output[0].name)
    graph.initializer.extend([numpy_helper.from_array(weights.astype(np.float32), "category.weight"),
                              numpy_helper.from_array(bias.astype(np.float32), "category.bias")])
    graph.node.insert(list(graph.node).index(concat), helper.make_node(
        "MatMul", [pooled_name(graph), "category.weight"], ["/category/MatMul_output_0"]))
    graph.node.insert(list(graph.node).index(concat), helper.make_node(
        "Add", ["/category/MatMul_output_0", "category.bias"], ["/category/Add_output_0"]))
    concat.input.append("/category/Add_output_0")
    graph.output[0].type.tensor_type.shape.dim[1].dim_value += len(classes)
    model.metadata_props.add(key="categories", value=json.dumps(classes))
    onnx.checker.check_model(model)
    return model


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--package", type=Path, required=True,
                        help="the consequence model's package directory (model.onnx, tokenizer.json)")
    args = parser.parse_args()
    package = args.package
    model = without_head(onnx.load(package / "model.onnx"))
    pool = training_pool(args.data)
    key = hashlib.sha1(model.SerializeToString() + json.dumps(pool).encode()).hexdigest()[:12]
    pooled = read_pooled(model, package, pool, Path(".cache") / f"category-pooled-{key}.npy")
    similarity = teacher(pool)
    print("baseline, the stem student (evaluation/stem_categories.py's features):", flush=True)
    stems = CountVectorizer(analyzer=tokens, min_df=3, binary=True).fit_transform(pool)
    fit_student(stems, similarity, (0.3, 1.0, 3.0))
    print("the head on the consequence encoder's pooled vector:", flush=True)
    _, head = fit_student(pooled, similarity, (0.3, 1.0, 3.0, 10.0))
    classes = [str(c) for c in head.classes_]
    onnx.save(with_head(model, head.coef_.T, head.intercept_, classes), package / "model.onnx")
    (package / "__init__.py").write_text('"""MiniLM-L6 cut to its first 3 layers: causal (Causal News Corpus), '
                                         'look-ahead (TempEval-3 and dated Reuters-21578 sentences) and category '
                                         '(training/categories/encoder_head.py) heads."""\n')
    print(json.dumps({"classes": classes, "C": float(head.C)}), flush=True)


if __name__ == "__main__":
    main()

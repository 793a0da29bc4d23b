#!/usr/bin/env python3
"""Writes the seed corpora of the libFuzzer targets (tests/fuzz/corpus/<target>/)
from the shipped configs/ and tiny synthetic files, and config_json.dict (the
key names of the shipped configs). Run from anywhere; the output is committed."""
import json
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
CORPUS = os.path.join(HERE, "corpus")


def put(target, name, data):
    d = os.path.join(CORPUS, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())


def llama2c(dim, hidden, layers, heads, kv, vocab, seq, shared=True):
    head = dim // heads
    kv_dim = kv * head
    n = (vocab * dim + layers * dim * 2 + layers * (dim * dim * 2 + dim * kv_dim * 2)
         + layers * hidden * dim * 3 + dim + seq * head)
    if not shared:
        n += vocab * dim
    hdr = struct.pack("<7i", dim, hidden, layers, heads, kv, vocab if shared else -vocab, seq)
    return hdr + struct.pack("<%df" % n, *[((i * 37) % 101 - 50) / 100.0 for i in range(n)])


def safetensors(tensors, dtype="F32", pad=True, metadata=None):
    size = {"F32": 4, "F16": 2, "BF16": 2}[dtype]
    header, data = {}, b""
    if metadata:
        header["__metadata__"] = metadata
    for name, shape in tensors:
        n = 1
        for s in shape:
            n *= s
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [len(data), len(data) + n * size]}
        data += bytes((i * 7) & 0x3F for i in range(n * size))
    h = json.dumps(header).encode()
    if pad:
        h += b" " * ((8 - len(h) % 8) % 8)
    return struct.pack("<Q", len(h)) + h + data


def tokenizer(pieces, max_len=None):
    out = struct.pack("<i", max_len if max_len is not None else max(len(p) for p in pieces))
    for i, p in enumerate(pieces):
        out += struct.pack("<fi", -float(i), len(p)) + p
    return out


def main():
    # llama2.c checkpoints: shared and separate classifier, GQA; one truncated.
    put("llama2c_checkpoint", "tiny_shared.bin", llama2c(8, 16, 1, 2, 2, 16, 4))
    put("llama2c_checkpoint", "tiny_gqa_wcls.bin", llama2c(8, 12, 2, 4, 2, 8, 2, shared=False))
    put("llama2c_checkpoint", "truncated.bin", llama2c(8, 16, 1, 2, 2, 16, 4)[:100])

    put("safetensors", "f32.safetensors", safetensors([("a", [2, 3]), ("b", [4])]))
    put("safetensors", "bf16_meta.safetensors",
        safetensors([("model.embed_tokens.weight", [4, 2])], "BF16", metadata={"format": "pt"}))
    put("safetensors", "f16_scalar.safetensors", safetensors([("s", []), ("t", [1, 2])], "F16", pad=False))

    # tokenizer: byte 0 = vocab_size - 1, byte 1 = text length, the text,
    # then tokenizer.bin.
    def tok_input(pieces, text):
        return bytes([len(pieces) - 1, len(text)]) + text + tokenizer(pieces)
    pieces = [b"<unk>", b"\n<s>\n", b"\n</s>\n"] + [b"<0x%02X>" % i for i in range(253)]
    put("tokenizer", "bytes_fallback.bin", tok_input(pieces, "Hello, w\u00f6rld!\n".encode()))
    small = [b"<unk>", b"<s>", b"</s>", b" ", b"H", b"e", b"l", b"o", b" H", b"ll", b"llo", b"Hello"]
    put("tokenizer", "small.bin", tok_input(small, b"Hello hello"))
    put("tokenizer", "two_tokens.bin", tok_input([b" ", b"a"], b"a a"))

    # HF config.json
    hf = {"architectures": ["LlamaForCausalLM"], "model_type": "llama", "hidden_size": 8,
          "intermediate_size": 16, "num_hidden_layers": 1, "num_attention_heads": 2,
          "num_key_value_heads": 1, "vocab_size": 16, "max_position_embeddings": 4,
          "rms_norm_eps": 1e-05, "rope_theta": 10000.0, "tie_word_embeddings": True,
          "hidden_act": "silu", "torch_dtype": "float32", "rope_scaling": None, "head_dim": 4}
    # hf_config: first byte 1 = a tiny model.safetensors of this shape lies
    # beside config.json, 0 = config.json alone.
    put("hf_config", "tiny_with_weights.json", b"\x01" + json.dumps(hf, indent=2).encode())
    put("hf_config", "tiny.json", b"\x00" + json.dumps(hf, indent=2).encode())
    hf2 = dict(hf, tie_word_embeddings=False, attention_bias=False, mlp_bias=False)
    del hf2["head_dim"]
    put("hf_config", "untied_with_weights.json", b"\x01" + json.dumps(hf2).encode())

    for i, s in enumerate(["w8a8g64", "w4a8g128:bf16", "w2a16g512:fp16", "w8a4g16:fp32", "w3a8g32"]):
        put("quant_spec", "spec%d" % i, s)

    exprs = ["NumPe <= GroupSize", "WeightBits >= 4 || GroupSize == 32",
             "!(NumPe % 8) && is_pow2(GroupSize) && log2(NumPe) < 5",
             "board == 'zcu102' && max(NumPe, 2) * pow2(3) / min(GroupSize, 64) > -1.5e1",
             "fits_board"]
    for i, e in enumerate(exprs):
        put("expr", "expr%d" % i, e)

    # config_json: one byte picks the reader (0 design, 1 board, 2 model,
    # 3 sweep, 4 energy, 5 DRAM memory object); the file follows.
    keys = set()

    def walk(v):
        if isinstance(v, dict):
            for k, x in v.items():
                keys.add(k)
                walk(x)
        elif isinstance(v, list):
            for x in v:
                walk(x)

    for sel, folder in [(0, "designs"), (1, "boards"), (2, "models"), (3, "sweeps"), (4, "energy")]:
        d = os.path.join(ROOT, "configs", folder)
        for f in sorted(os.listdir(d)):
            if not f.endswith(".json"):
                continue
            text = open(os.path.join(d, f), "rb").read()
            walk(json.loads(text))
            put("config_json", "%s_%s" % (folder, f), bytes([sel]) + text)
            if folder == "boards" and f == "zcu102.json":
                mem = json.loads(text)["memory"]
                put("config_json", "memory_zcu102.json", bytes([5]) + json.dumps(mem).encode())
    with open(os.path.join(HERE, "config_json.dict"), "w") as f:
        f.write("# Key names of the shipped configs (tests/fuzz/make_seeds.py).\n")
        for k in sorted(keys):
            f.write('"\\"%s\\""\n' % k.replace("\\", "\\\\").replace('"', '\\"'))


if __name__ == "__main__":
    main()

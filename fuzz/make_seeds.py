#!/usr/bin/env python3
"""Writes the seed corpora of the fuzz targets that are not model-shaped (those come from
`cargo run --manifest-path fuzz/Cargo.toml --example make_seeds`, which must run first: the
checkpoint seeds are made from its safetensors seeds).

Run from the repository root: `python3 fuzz/make_seeds.py`. Only the standard library is
used; PyTorch checkpoints are written in torch.save's zip format with a pickler that names
torch's classes without importing torch.
"""
import collections
import io
import json
import math
import pickle
import random
import struct
import sys
import types
import zipfile
from pathlib import Path

ROOT = Path("fuzz/corpus")
FIX = Path("tests/fixtures")


def out(target, name, data):
    d = ROOT / target
    d.mkdir(parents=True, exist_ok=True)
    (d / name).write_bytes(data)


# ---- WAV -------------------------------------------------------------------------------
def wav(rate, channels, bits, fmt, frames):
    """A RIFF/WAVE file; fmt 1 = PCM, 3 = IEEE float."""
    data = bytearray()
    for i in range(frames):
        for c in range(channels):
            v = 0.5 * math.sin(2 * math.pi * 440 * i / rate + c)
            if fmt == 3:
                data += struct.pack("<f", v)
            elif bits == 8:
                data += struct.pack("<B", int(128 + v * 127))
            elif bits == 16:
                data += struct.pack("<h", int(v * 32767))
            elif bits == 24:
                data += int(v * 8388607).to_bytes(3, "little", signed=True)
            else:
                data += struct.pack("<i", int(v * 2147483647))
    block = channels * bits // 8
    fmt_chunk = struct.pack("<HHIIHH", fmt, channels, rate, rate * block, block, bits)
    body = b"WAVE" + b"fmt " + struct.pack("<I", len(fmt_chunk)) + fmt_chunk
    body += b"data" + struct.pack("<I", len(data)) + bytes(data)
    return b"RIFF" + struct.pack("<I", len(body)) + body


out("wav", "pcm16_mono_16k.wav", wav(16000, 1, 16, 1, 400))
out("wav", "pcm8_stereo_8k.wav", wav(8000, 2, 8, 1, 300))
out("wav", "pcm24_mono_44k.wav", wav(44100, 1, 24, 1, 300))
out("wav", "pcm32_mono_32k.wav", wav(32000, 1, 32, 1, 200))
out("wav", "float_mono_48k.wav", wav(48000, 1, 32, 3, 300))

# ---- torch checkpoints (a fake `torch` the pickler can name) --------------------------------
torch = types.ModuleType("torch")
tutils = types.ModuleType("torch._utils")
hp = types.ModuleType("utils")
for name in ["HalfStorage", "FloatStorage", "LongStorage"]:
    cls = type(name, (), {"__module__": "torch"})
    setattr(torch, name, cls)


def _rebuild_tensor_v2(*args):
    raise NotImplementedError


def _rebuild_parameter(*args):
    raise NotImplementedError


_rebuild_tensor_v2.__module__ = "torch._utils"
_rebuild_parameter.__module__ = "torch._utils"
tutils._rebuild_tensor_v2 = _rebuild_tensor_v2
tutils._rebuild_parameter = _rebuild_parameter


class HParams:
    pass


HParams.__module__ = "utils"
hp.HParams = HParams
sys.modules.update({"torch": torch, "torch._utils": tutils, "utils": hp})


class Storage:
    def __init__(self, key, stype, numel):
        self.key, self.stype, self.numel = key, stype, numel


class Tensor:
    def __init__(self, storage, offset, shape, stride, param=False):
        self.storage, self.offset, self.shape, self.stride, self.param = storage, offset, shape, stride, param

    def __reduce__(self):
        t = (_rebuild_tensor_v2, (self.storage, self.offset, tuple(self.shape), tuple(self.stride), False,
                                  collections.OrderedDict()))
        if self.param:
            return (_rebuild_parameter, (TensorNoParam(self), False, collections.OrderedDict()))
        return t


class TensorNoParam(Tensor):
    def __init__(self, t):
        super().__init__(t.storage, t.offset, t.shape, t.stride, False)


class Pickler(pickle.Pickler):
    def persistent_id(self, obj):
        if isinstance(obj, Storage):
            return ("storage", getattr(torch, obj.stype), obj.key, "cpu", obj.numel)
        return None


def contiguous(shape):
    stride, acc = [], 1
    for d in reversed(shape):
        stride.insert(0, acc)
        acc *= d
    return stride


def torch_zip(obj, storages, tag=None):
    buf = io.BytesIO()
    Pickler(buf, protocol=2).dump(obj)
    z = io.BytesIO()
    with zipfile.ZipFile(z, "w", zipfile.ZIP_STORED) as zf:
        zf.writestr("archive/data.pkl", buf.getvalue())
        zf.writestr("archive/byteorder", "little")
        for key, data in storages.items():
            zf.writestr(f"archive/data/{key}", data)
        zf.writestr("archive/version", "3\n")
    b = z.getvalue()
    if tag:
        b = tag + b[2:]
    return b, buf.getvalue()


def read_safetensors(path):
    raw = path.read_bytes()
    n = struct.unpack("<Q", raw[:8])[0]
    header = json.loads(raw[8:8 + n])
    base = 8 + n
    tensors = {}
    for k, info in header.items():
        if k == "__metadata__":
            continue
        a, b = info["data_offsets"]
        vals = struct.unpack(f"<{(b - a) // 4}f", raw[base + a:base + b])
        tensors[k] = (info["shape"], vals)
    return tensors


def checkpoint_from(st_path, config, prefix="", params=False):
    tensors = read_safetensors(st_path)
    weight = collections.OrderedDict()
    storages = {}
    for i, (k, (shape, vals)) in enumerate(sorted(tensors.items())):
        key = str(i)
        storages[key] = struct.pack(f"<{len(vals)}e", *vals)
        weight[prefix + k] = Tensor(Storage(key, "HalfStorage", len(vals)), 0, shape, contiguous(shape), params)
    return weight, storages


def hparams(d):
    h = HParams()
    for k, v in d.items():
        setattr(h, k, hparams(v) if isinstance(v, dict) else v)
    return h


sovits_cfg = {
    "data": {"sampling_rate": 8000, "filter_length": 16, "hop_length": 4, "win_length": 16},
    "model": {"inter_channels": 4, "hidden_channels": 4, "filter_channels": 8, "n_heads": 2, "n_layers": 2,
              "kernel_size": 3, "resblock": "1", "resblock_kernel_sizes": [3], "resblock_dilation_sizes": [[1]],
              "upsample_rates": [2, 2], "upsample_initial_channel": 8, "upsample_kernel_sizes": [4, 4],
              "gin_channels": 8, "semantic_frame_rate": "25hz", "version": "v2"},
}
gpt_cfg = {"data": {"max_sec": 1}, "model": {"vocab_size": 9, "phoneme_vocab_size": 8, "embedding_dim": 8,
                                             "hidden_dim": 8, "head": 2, "n_layer": 1, "EOS": 8}}

w, s = checkpoint_from(ROOT / "safetensors" / "sovits.safetensors", sovits_cfg)
b, pkl = torch_zip({"weight": w, "config": hparams(sovits_cfg), "info": "seed"}, s)
out("checkpoint", "sovits_micro.pth", b)
out("pickle", "sovits_micro_data.pkl", pkl)
b, _ = torch_zip({"weight": w, "config": hparams(sovits_cfg), "info": "seed"}, s, tag=b"05")
out("checkpoint", "sovits_micro_tag05.pth", b)

w, s = checkpoint_from(ROOT / "safetensors" / "gpt.safetensors", gpt_cfg, prefix="model.", params=True)
b, pkl = torch_zip({"weight": w, "config": gpt_cfg}, s)
out("checkpoint", "gpt_micro.ckpt", b)
out("pickle", "gpt_micro_data.pkl", pkl)

w, s = checkpoint_from(ROOT / "safetensors" / "bert.safetensors", {})
b, _ = torch_zip(w, s)
out("checkpoint", "bert_micro_pytorch_model.bin", b)

# A strided (transposed) view and a tensor at an offset into a shared storage.
data = struct.pack("<6f", *range(6))
obj = {"weight": collections.OrderedDict(
    t=Tensor(Storage("0", "FloatStorage", 6), 0, [3, 2], [1, 3]),
    o=Tensor(Storage("0", "FloatStorage", 6), 2, [2, 2], [2, 1]),
    i=Tensor(Storage("1", "LongStorage", 2), 0, [2], [1]))}
b, pkl = torch_zip(obj, {"0": data, "1": struct.pack("<2q", 7, -1)})
out("checkpoint", "views.pth", b)
out("pickle", "views_data.pkl", pkl)

# ---- plain pickles -------------------------------------------------------------------------
sample = {"a": [1, 2.5, "x", None, True], "b": (b"\x00\x01", -(2 ** 40)), "c": {"nested": [[], {}, ()]}}
for proto in (2, 3, 4):
    out("pickle", f"plain_protocol{proto}.pkl", pickle.dumps(sample, protocol=proto))
shared = [1, 2]
out("pickle", "shared_memo.pkl", pickle.dumps([shared, shared, {"k": shared}], protocol=2))

# ---- configs -------------------------------------------------------------------------------
tiny = FIX / "parity" / "tiny" / "official"
out("config", "hubert_config.json", (tiny / "chinese-hubert-base" / "config.json").read_bytes())
out("config", "bert_config.json", (tiny / "chinese-roberta-wwm-ext-large" / "config.json").read_bytes())
out("config", "s2.json", json.dumps(sovits_cfg).encode())
out("config", "s1.json", json.dumps(gpt_cfg).encode())
vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "今", "天", "气", "很", "好", ",", ".", ":", "the", "we",
         "##ather", "is", "fine", "1", "##2", "##3", "na", "##ive", "super", "##cal", "##i", "a", "b", "c"]
tok = {"version": "1.0", "normalizer": {"type": "BertNormalizer", "clean_text": True,
                                        "handle_chinese_chars": True, "strip_accents": None, "lowercase": True},
       "pre_tokenizer": {"type": "BertPreTokenizer"},
       "model": {"type": "WordPiece", "unk_token": "[UNK]", "continuing_subword_prefix": "##",
                 "max_input_chars_per_word": 100, "vocab": {t: i for i, t in enumerate(vocab)}}}
out("config", "tokenizer.json", json.dumps(tok, ensure_ascii=False).encode())
out("config", "vocab.txt", "\n".join(vocab).encode())

# ---- text ----------------------------------------------------------------------------------
rng = random.Random(0)
n = 0
for f in ["zh", "en", "mixed", "ja", "ko", "yue", "split"]:
    lines = (FIX / "text" / f"{f}.jsonl").read_text(encoding="utf-8").splitlines()
    rng.shuffle(lines)
    for line in lines[:12]:
        t = json.loads(line).get("text", "")
        if t and len(t.encode()) <= 600:
            out("text", f"{f}_{n:03d}.txt", t.encode())
            n += 1
out("text", "controls.txt", "\u0000\u001b[31m\u202eabć﷽𝕳𝖊𝖑𝖑𝖔 ￥^ 12.5% 3/4 1999年".encode())
print(f"wrote the seeds under {ROOT}")

# ---- hostile inputs for the regression tests (tests/hostile.rs) ------------------------------
HOSTILE = FIX / "hostile"
HOSTILE.mkdir(parents=True, exist_ok=True)


def hostile(name, data):
    (HOSTILE / name).write_bytes(data)


small = collections.OrderedDict(x=Tensor(Storage("0", "HalfStorage", 4), 0, [2, 2], [2, 1]))
f16x4 = struct.pack("<4e", 1, 2, 3, 4)
big_cfg = json.loads(json.dumps(sovits_cfg))
big_cfg["model"]["hidden_channels"] = 2 ** 20
hostile("huge_hidden.pth", torch_zip({"weight": small, "config": hparams(big_cfg)}, {"0": f16x4})[0])
v2_gpt = {"data": {"max_sec": 54}, "model": {"vocab_size": 1025, "phoneme_vocab_size": 732, "embedding_dim": 512,
                                             "hidden_dim": 512, "head": 16, "n_layer": 24, "EOS": 1024}}
hostile("empty_gpt.ckpt", torch_zip({"weight": collections.OrderedDict(), "config": v2_gpt}, {})[0])
hostile("negative_offset.pth", torch_zip(
    {"weight": collections.OrderedDict(x=Tensor(Storage("0", "HalfStorage", 4), -1, [2], [1]))}, {"0": f16x4})[0])
hostile("huge_shape.pth", torch_zip(
    {"weight": collections.OrderedDict(x=Tensor(Storage("0", "HalfStorage", 4), 0, [2 ** 62, 8], [8, 1]))},
    {"0": f16x4})[0])
hostile("broadcast_view.pth", torch_zip(
    {"weight": collections.OrderedDict(x=Tensor(Storage("0", "HalfStorage", 4), 0, [2 ** 40], [0]))},
    {"0": f16x4})[0])
hostile("scalar_weights.pth", torch_zip({"weight": collections.OrderedDict(
    [("ssl_proj.weight", Tensor(Storage("0", "HalfStorage", 4), 0, [], [])),
     ("quantizer.vq.layers.0._codebook.embed", Tensor(Storage("0", "HalfStorage", 4), 0, [4], [1])),
     ("enc_p.text_embedding.weight", Tensor(Storage("0", "HalfStorage", 4), 0, [], [])),
     ("ref_enc.spectral.0.fc.weight", Tensor(Storage("0", "HalfStorage", 4), 0, [4], [1])),
     ("dec.conv_pre.weight", Tensor(Storage("0", "HalfStorage", 4), 0, [], [])),
     ("sv_emb.weight", Tensor(Storage("0", "HalfStorage", 4), 0, [4], [1]))])}, {"0": f16x4})[0])
# A stored entry whose sizes claim 100 GB (local header and central directory both patched).
b, _ = torch_zip({"weight": small}, {"0": f16x4})
b = bytearray(b)
name = b"archive/data/0"
for sig, size_off in ((b"PK\x03\x04", 18), (b"PK\x01\x02", 20)):
    pos = 0
    while True:
        pos = b.find(sig, pos)
        if pos < 0:
            break
        name_off = 30 if sig == b"PK\x03\x04" else 46
        if b[pos + name_off:pos + name_off + len(name)] == name:
            b[pos + size_off:pos + size_off + 8] = struct.pack("<II", 0xFFFFFFF0, 0xFFFFFFF0)
        pos += 4
hostile("claims_4gb_entry.pth", bytes(b))
# A config nested 100 000 tuples deep (data.pkl written opcode by opcode).
deep = (b"\x80\x02}q\x00(X\x06\x00\x00\x00weight}X\x06\x00\x00\x00config" + b"N" + b"\x85" * 100_000 + b"u.")
z = io.BytesIO()
with zipfile.ZipFile(z, "w", zipfile.ZIP_STORED) as zf:
    zf.writestr("archive/data.pkl", deep)
hostile("deep_config.pth", z.getvalue())
# WAV: 1 Hz with 40 kB of samples; a header that claims 4 billion samples over 100 real ones.
hostile("rate_1hz.wav", wav(1, 1, 16, 1, 20_000))
w = bytearray(wav(16000, 1, 16, 1, 100))
w[w.find(b"data") + 4:w.find(b"data") + 8] = struct.pack("<I", 0xFFFFFFF0)
hostile("claims_4g_samples.wav", bytes(w))
print(f"wrote the hostile inputs under {HOSTILE}")

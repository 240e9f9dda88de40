#!/usr/bin/env python3
"""Times the ORIGINAL GPT-SoVITS v2Pro/v2ProPlus pieces at official sizes (random weights,
float32, CPU, eval, inference mode), to put beside `cargo bench --bench sovits`
(`decode_v2proplus_10s`, `sv_embedding_5s`) measured on the same machine in the same session:

  sv_embedding_5s       torchaudio Resample(32000, 16000) of a 5 s 32 kHz clip, eres2net/kaldi.fbank
                        (80 bins, dither 0), ERes2NetV2(baseWidth=24, scale=4, expansion=4).forward3
                        (what sv.SV.compute_embedding3 runs after get_spepc)
  decode_v2proplus_10s  SynthesizerTrn(**s2v2ProPlus.json model, version="v2ProPlus").decode(
                        codes [1, 1, 250], text [1, 120], [refer 5 s], noise_scale=0.5, speed=1,
                        sv_emb=[20480 values]) -> 320000 samples = 10 s at 32 kHz
  decode_v2_5s          for context, the v2 model (s2.json) as `decode_5s`: codes [1, 1, 125],
                        text [1, 60], [refer 5 s] -> 5 s

Imports the upstream modules from a GPT-SoVITS checkout (GPT_SOVITS_SRC, e.g. the tarball in
../shared/upstream unpacked); no upstream code is copied here. Run with the venv of
../shared/upstream/requirements.txt (+ torchaudio):

  GPT_SOVITS_SRC=$W/GPT-SoVITS $W/venv/bin/python benches/upstream/v2pro.py --runs 3
"""
import argparse
import json
import os
import resource
import statistics
import sys
import time

import torch

torch.set_grad_enabled(False)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--threads", type=int, default=2)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    src = os.environ["GPT_SOVITS_SRC"]
    sys.path.insert(0, src)
    sys.path.insert(0, os.path.join(src, "GPT_SoVITS"))
    sys.path.insert(0, os.path.join(src, "GPT_SoVITS", "eres2net"))
    os.chdir(src)
    import torchaudio
    from module.models import SynthesizerTrn
    from module.mel_processing import spectrogram_torch
    from ERes2NetV2 import ERes2NetV2
    import kaldi as Kaldi

    torch.manual_seed(0)
    with open(os.path.join(src, "GPT_SoVITS", "configs", "s2v2ProPlus.json")) as f:
        hps = json.load(f)
    d, m = hps["data"], hps["model"]
    m = dict(m, version="v2ProPlus")
    vq = SynthesizerTrn(d["filter_length"] // 2 + 1, hps["train"]["segment_size"] // d["hop_length"],
                        n_speakers=d["n_speakers"], **m).eval()
    sv = ERes2NetV2(baseWidth=24, scale=4, expansion=4).eval()
    t = torch.arange(int(5 * 32000)) / 32000.0
    wav32 = (0.3 * torch.sin(2 * torch.pi * 220 * t) + 0.01 * torch.randn_like(t)).unsqueeze(0)
    resample = torchaudio.transforms.Resample(32000, 16000)

    def sv_embedding():
        w16 = resample(wav32)
        feat = torch.stack([Kaldi.fbank(w.unsqueeze(0), num_mel_bins=80, sample_frequency=16000, dither=0) for w in w16])
        return sv.forward3(feat)

    refer = spectrogram_torch(wav32, d["filter_length"], d["sampling_rate"], d["hop_length"], d["win_length"], center=False)
    sv_emb = sv_embedding()
    codes = (torch.arange(250) * 37 % 1024).view(1, 1, 250)
    text = (torch.arange(120) * 11 % 732).view(1, 120)

    def decode():
        o = vq.decode(codes, text, [refer], noise_scale=0.5, speed=1, sv_emb=[sv_emb])
        assert o.shape[-1] == 320000, o.shape
        return o

    with open(os.path.join(src, "GPT_SoVITS", "configs", "s2.json")) as f:
        h2 = json.load(f)
    d2, m2 = h2["data"], dict(h2["model"], version="v2")
    vq2 = SynthesizerTrn(d2["filter_length"] // 2 + 1, h2["train"]["segment_size"] // d2["hop_length"],
                         n_speakers=d2["n_speakers"], **m2).eval()

    def decode_v2():
        o = vq2.decode(codes[:, :, :125], text[:, :60], [refer], noise_scale=0.5, speed=1)
        assert o.shape[-1] == 160000, o.shape
        return o

    out = {"threads": a.threads, "torch": torch.__version__}
    for name, fn in [("sv_embedding_5s", sv_embedding), ("decode_v2proplus_10s", decode), ("decode_v2_5s", decode_v2)]:
        with torch.inference_mode():
            fn()
            ts = []
            for _ in range(a.runs):
                t0 = time.perf_counter()
                fn()
                ts.append(time.perf_counter() - t0)
        out[name] = {"median_s": statistics.median(ts), "min_s": min(ts), "runs": ts}
        print(f"{name:24} median {statistics.median(ts):.3f} s  min {min(ts):.3f} s", flush=True)
    out["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    print(json.dumps(out))


if __name__ == "__main__":
    main()

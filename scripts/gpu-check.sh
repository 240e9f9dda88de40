#!/usr/bin/env bash
# The CUDA checks, on a machine with one NVIDIA GPU and this repository (no network needed
# once the crates are vendored/cached): build with `--features cuda`, run the parity runner on
# the GPU over the three tiny sets (f32), then the device benchmark at the official v2 sizes in
# f32, f16 and bf16 (first audio per streaming mode, GPT tok/s, SoVITS and end-to-end RTF, the
# greedy tokens of f16/bf16 compared with f32). Meant to finish in under 8 minutes on a warm
# cargo cache; the build is the long part on a cold one.
#
#   scripts/gpu-check.sh [OUT_DIR]        (default target/gpu-check)
#
# Writes OUT_DIR/{build,parity-*,device}.log and OUT_DIR/summary.txt; exits non-zero when the
# build or a parity case fails. Without a GPU it stops after the build with a clear message.
set -uo pipefail
cd "$(dirname "$0")/.."
out=${1:-target/gpu-check}
mkdir -p "$out"
start=$(date +%s)
log() { echo "[$(($(date +%s) - start)) s] $*" | tee -a "$out/summary.txt"; }
: >"$out/summary.txt"

if command -v nvidia-smi >/dev/null; then
    nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader | tee -a "$out/summary.txt"
else
    log "no nvidia-smi: no NVIDIA GPU here"
fi

feat=(--release --features cuda)   # flex stays on: the runner's CPU paths build too
log "building (cuda feature)"
if ! cargo build "${feat[@]}" --example parity --example device_check >"$out/build.log" 2>&1; then
    log "BUILD FAILED (see $out/build.log)"; tail -30 "$out/build.log"; exit 1
fi
command -v nvidia-smi >/dev/null || { log "built; no GPU to run on"; exit 0; }

status=0
for set in tiny tiny_v2pro tiny_stream; do
    log "parity runner on CUDA: $set"
    if timeout 300 cargo run -q "${feat[@]}" --example parity -- "tests/fixtures/parity/$set" --device cuda \
        >"$out/parity-$set.log" 2>&1; then
        tail -1 "$out/parity-$set.log" | tee -a "$out/summary.txt"
    else
        status=1
        log "parity FAILED on $set"; grep -E "FAIL|error" "$out/parity-$set.log" | head -20 | tee -a "$out/summary.txt"
    fi
done

log "device benchmark (official sizes, random weights): f32, f16, bf16"
if timeout 360 cargo run -q "${feat[@]}" --example device_check -- --device cuda --precision f32,f16,bf16 \
    >"$out/device.log" 2>&1; then
    grep -vE '^\{' "$out/device.log" | tee -a "$out/summary.txt"
    tail -1 "$out/device.log" >"$out/device.json"
else
    status=1
    log "device benchmark FAILED"; tail -20 "$out/device.log" | tee -a "$out/summary.txt"
fi
log "done (status $status)"
exit $status

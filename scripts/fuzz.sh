#!/usr/bin/env bash
# Fuzzes every untrusted-input surface with libFuzzer + AddressSanitizer (cargo-fuzz on the
# nightly toolchain): `scripts/fuzz.sh [SECONDS] [TARGET...]` runs each target for SECONDS
# (default 60), starting from the committed seeds in fuzz/corpus/<target> and keeping what it
# finds in fuzz/target/corpus/<target>. A crash, a timeout (> 30 s for one input) or an
# out-of-memory (> 2.5 GB RSS, or one allocation above that) stops the target, leaves the input
# in fuzz/artifacts/<target>/ and makes the script fail. Prints executions per target.
set -euo pipefail
cd "$(dirname "$0")/.."

secs="${1:-60}"
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    targets=(wav pickle checkpoint safetensors voice config text)
fi

if ! rustup toolchain list 2>/dev/null | grep -q '^nightly'; then
    echo "scripts/fuzz.sh needs the nightly toolchain (rustup toolchain install nightly)" >&2
    exit 2
fi
if ! cargo fuzz --version >/dev/null 2>&1; then
    echo "== installing cargo-fuzz"
    cargo install cargo-fuzz --locked
fi

echo "== building the fuzz targets (nightly, ASAN)"
cargo +nightly fuzz build --fuzz-dir fuzz

summary=()
failed=0
for t in "${targets[@]}"; do
    work="fuzz/target/corpus/$t"
    mkdir -p "$work" "fuzz/artifacts/$t"
    log="fuzz/target/$t.log"
    echo "== fuzzing $t for ${secs}s"
    set +e
    cargo +nightly fuzz run --fuzz-dir fuzz "$t" "$work" "fuzz/corpus/$t" -- \
        -max_total_time="$secs" -timeout=30 -rss_limit_mb=2560 -malloc_limit_mb=2560 \
        -max_len=65536 -print_final_stats=1 >"$log" 2>&1
    rc=$?
    set -e
    execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1)
    if [ $rc -eq 0 ]; then
        summary+=("$t: ok, ${execs:-?} executions")
    else
        failed=1
        summary+=("$t: FAILED (rc $rc, ${execs:-?} executions; see $log and fuzz/artifacts/$t/)")
        tail -40 "$log"
    fi
done

echo "== fuzz summary (${secs}s per target)"
printf '  %s\n' "${summary[@]}"
exit $failed

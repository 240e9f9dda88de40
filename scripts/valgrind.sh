#!/usr/bin/env bash
# Runs the C API test program (sovits-ffi/tests/c/api_test.c) under valgrind memcheck against
# the release build of the C library. Every invalid read or write, use of uninitialised memory,
# and definite or possible leak is an error (exit status 1), except the allocations listed in
# sovits-ffi/tests/valgrind.supp: the process-wide tables the library builds once and keeps
# until exit (text frontend dictionaries and regexes, burn's device registry, rayon's pool).
# About 25 minutes on 2 cores. `VALGRIND_GEN=1` prints suppressions for what is reported.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v valgrind >/dev/null || { echo "valgrind is not installed (apt-get install valgrind)" >&2; exit 2; }
cargo build --release -p sovits-ffi
lib=target/release
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cc -std=c99 -Wall -Wextra -Werror -pedantic -g sovits-ffi/tests/c/api_test.c -Iinclude -L"$lib" -lsovits \
    -Wl,-rpath,"$PWD/$lib" -o "$tmp/api_test"
tiny=tests/fixtures/parity/tiny
extra=()
if [ -n "${VALGRIND_GEN:-}" ]; then extra+=(--gen-suppressions=all); fi
LD_LIBRARY_PATH="$lib" valgrind --error-exitcode=1 --leak-check=full --show-leak-kinds=definite,possible \
    --errors-for-leak-kinds=definite,possible --suppressions=sovits-ffi/tests/valgrind.supp "${extra[@]}" \
    "$tmp/api_test" "$tiny/official/gpt_v2.ckpt" "$tiny/official/sovits_v2.pth" \
    "$tiny/official/chinese-hubert-base" "$tiny/official/chinese-roberta-wwm-ext-large" "$tiny/io/ref_32k.wav" \
    "$tmp" tests/fixtures/hostile
echo "valgrind: no errors"

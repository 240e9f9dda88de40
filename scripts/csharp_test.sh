#!/usr/bin/env bash
# The C# binding (bindings/csharp/Sovits.cs) under Mono: compiles it with mcs (with the Unity
# sample's runtime, against stub UnityEngine types) and runs bindings/csharp/tests/SovitsTest.cs
# on the tiny model against the debug cdylib (built here if missing). Installs Debian's mono-mcs + mono-runtime when mcs is absent (CI). Part of .ci/run.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v mcs >/dev/null || ! command -v mono >/dev/null; then
    echo "installing Mono (Debian mono-mcs, mono-runtime)"
    SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
    $SUDO apt-get update -q >/dev/null
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q mono-mcs mono-runtime >/dev/null
fi
cargo build -q -p sovits-ffi
lib=$PWD/target/debug
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# The Unity sample's runtime compiles against stub UnityEngine types (its queue is tested too).
mcs -nologo -warnaserror -out:"$tmp/SovitsTest.exe" bindings/csharp/Sovits.cs bindings/csharp/tests/SovitsTest.cs \
    examples/unity/Runtime/SovitsSpeaker.cs bindings/csharp/tests/UnityEngineStubs.cs
# The binding as the static-library (iOS) variant compiles too.
mcs -nologo -warnaserror -target:library -define:SOVITS_STATIC -out:"$tmp/SovitsStatic.dll" bindings/csharp/Sovits.cs
# The library is found as `sovits` (libsovits.so) through the loader path, as DllImport("sovits") does in an app.
LD_LIBRARY_PATH="$lib" mono "$tmp/SovitsTest.exe" tests/fixtures/parity/tiny/official \
    tests/fixtures/parity/tiny/io/ref_32k.wav "$tmp"

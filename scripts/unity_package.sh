#!/usr/bin/env bash
# Assembles the Unity package (UPM) from examples/unity/ into target/unity/com.sovits.tts: the
# sample's files, the C# binding (bindings/csharp/Sovits.cs) in Runtime/, and the release
# library of this machine's platform in Plugins/ (other platforms' libraries: docs/engines.md).
# Add the folder in Unity with Package Manager > Add package from disk (its package.json).
set -euo pipefail
cd "$(dirname "$0")/.."
out=target/unity/com.sovits.tts
rm -rf "$out"
mkdir -p "$out"
cp -r examples/unity/. "$out/"
cp bindings/csharp/Sovits.cs "$out/Runtime/"
cargo build --release -p sovits-ffi
case "$(uname -s)" in
    Linux) mkdir -p "$out/Plugins/x86_64" && cp target/release/libsovits.so "$out/Plugins/x86_64/" ;;
    Darwin) mkdir -p "$out/Plugins/macOS" && cp target/release/libsovits.dylib "$out/Plugins/macOS/" ;;
    *) mkdir -p "$out/Plugins/x86_64" && cp target/release/sovits.dll "$out/Plugins/x86_64/" ;;
esac
echo "wrote $out"

#!/bin/sh
# Lays out the tiny test models like upstream's GPT_SoVITS/pretrained_models/ for v2ProPlus:
#   OUT/s1v3.ckpt                              the tiny GPT (same architecture for v2 and v2Pro)
#   OUT/v2Pro/s2Gv2ProPlus.pth, s2Gv2Pro.pth   the tiny v2ProPlus / v2Pro SoVITS (official format)
#   OUT/sv/pretrained_eres2netv2w24s4ep4.ckpt  the tiny speaker-verification model
#   OUT/chinese-hubert-base/, OUT/chinese-roberta-wwm-ext-large/
# With WHICH=v2pro only s2Gv2Pro.pth goes in v2Pro/ (default: only s2Gv2ProPlus.pth, so the
# folder is unambiguous). The weights are random: the audio is a test signal, not speech.
#
#   scripts/tiny_v2proplus_models.sh OUT [v2proplus|v2pro|both]
set -eu
out=${1:?usage: $0 OUT [v2proplus|v2pro|both]}
which=${2:-v2proplus}
root=$(cd "$(dirname "$0")/.." && pwd)
tiny=$root/tests/fixtures/parity/tiny/official
pro=$root/tests/fixtures/parity/tiny_v2pro/official
mkdir -p "$out/v2Pro" "$out/sv"
cp "$tiny/gpt_v2.ckpt" "$out/s1v3.ckpt"
case $which in
  v2proplus) cp "$pro/sovits_v2proplus.pth" "$out/v2Pro/s2Gv2ProPlus.pth" ;;
  v2pro) cp "$pro/sovits_v2pro.pth" "$out/v2Pro/s2Gv2Pro.pth" ;;
  both) cp "$pro/sovits_v2proplus.pth" "$out/v2Pro/s2Gv2ProPlus.pth"
        cp "$pro/sovits_v2pro.pth" "$out/v2Pro/s2Gv2Pro.pth" ;;
  *) echo "unknown model choice $which" >&2; exit 2 ;;
esac
cp "$pro/sv/pretrained_eres2netv2w24s4ep4.ckpt" "$out/sv/"
cp -r "$tiny/chinese-hubert-base" "$tiny/chinese-roberta-wwm-ext-large" "$out/"
echo "$out"

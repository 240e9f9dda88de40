// The header compiles as C++ and its declarations are usable from C++.
#include "sovits.h"

#include <cstdio>

int main() {
    sovits_synth_params p = sovits_synth_default_params();
    sovits_audio *audio = nullptr;
    sovits_audio_free(&audio);
    std::printf("sovits %s, ABI %u, top_k %d\n", sovits_version(), sovits_abi_version(), p.top_k);
    return sovits_abi_version() == SOVITS_ABI_VERSION ? 0 : 1;
}

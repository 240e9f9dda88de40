// The Unreal sample's engine-independent part (examples/unreal/.../SovitsPcmQueue.h) fed from
// a real synthesis: chunks pushed from the streaming callback come out as the int16 samples of
// the whole utterance. Built and run by sovits-ffi/tests/c_api.rs:
//   unreal_queue_test MODEL_DIR REF_WAV
#include <cmath>
#include <cstdio>

#include "SovitsPcmQueue.h"
#include "sovits.hpp"

int main(int argc, char **argv) {
    if (argc != 3) return 2;
    sovits::Model model = sovits::Model::from_dir(argv[1]);
    sovits::Voice voice = sovits::Voice::from_wav(model, argv[2], "Hello there, how are you today", "en");
    sovits::Session session(model);
    sovits::SynthParams p = sovits::default_synth_params();
    p.top_k = 1;
    p.noise_scale = 0.0f;
    p.streaming_mode = 3;
    FSovitsPcmQueue queue;
    session.synthesize_stream(voice, "Hello from Unreal.", "en", [&](const float *pcm, size_t n, int) {
        queue.Push(pcm, n);
        return true;
    }, p);
    p.streaming_mode = 0;
    sovits::Audio whole = session.synthesize(voice, "Hello from Unreal.", "en", p);
    std::vector<uint8_t> bytes;
    std::size_t n = queue.PopBytes(bytes, 1u << 30);
    if (n == 0 || queue.Size() != 0) return 1;
    // The chunked stream and the whole utterance are different decodes (SOLA joins); the queue
    // must hold a plausible utterance: about as long, every sample the clamped int16 of a float.
    double ratio = static_cast<double>(n) / static_cast<double>(whole.size());
    if (ratio < 0.5 || ratio > 1.5) {
        std::fprintf(stderr, "stream %zu samples vs whole %zu\n", n, whole.size());
        return 1;
    }
    float probe[3] = {2.0f, -2.0f, 0.5f};
    queue.Push(probe, 3);
    queue.PopBytes(bytes, 3);
    int16_t a = static_cast<int16_t>(bytes[0] | (bytes[1] << 8)), b = static_cast<int16_t>(bytes[2] | (bytes[3] << 8)),
            c = static_cast<int16_t>(bytes[4] | (bytes[5] << 8));
    if (a != 32767 || b != -32767 || c != 16384) {
        std::fprintf(stderr, "conversion %d %d %d\n", a, b, c);
        return 1;
    }
    std::printf("Unreal queue test: all checks passed (%zu samples streamed)\n", n);
    return 0;
}

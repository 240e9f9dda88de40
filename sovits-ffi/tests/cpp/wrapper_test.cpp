// include/sovits.hpp on the tiny test model: RAII handles, exceptions with statuses, streaming
// with lambdas (stop, cancel, a throwing callback), memory loading, voice bytes.
// Built (C++17 and C++20) and run by sovits-ffi/tests/c_api.rs:
//   wrapper_test MODEL_DIR REF_WAV TMP_DIR
#include "sovits.hpp"

#include <cstdio>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string>
#include <vector>

static int failures = 0;
#define CHECK(cond)                                                          \
    do {                                                                     \
        if (!(cond)) {                                                       \
            std::fprintf(stderr, "FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond); \
            failures++;                                                      \
        }                                                                    \
    } while (0)

// Runs f, which must throw sovits::Error with `want`.
template <typename F>
static void expect_error(sovits_status want, F &&f, const char *what) {
    try {
        f();
        std::fprintf(stderr, "FAIL: %s did not throw\n", what);
        failures++;
    } catch (const sovits::Error &e) {
        if (e.status() != want || std::string(e.what()).empty()) {
            std::fprintf(stderr, "FAIL: %s gave status %d (%s), want %d\n", what, (int)e.status(), e.what(), (int)want);
            failures++;
        }
    }
}

static std::vector<char> read_file(const std::string &path) {
    std::ifstream f(path, std::ios::binary);
    return std::vector<char>(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
}

int main(int argc, char **argv) {
    if (argc != 4) {
        std::fprintf(stderr, "usage: %s MODEL_DIR REF_WAV TMP_DIR\n", argv[0]);
        return 2;
    }
    const std::string dir = argv[1], ref = argv[2], tmp = argv[3];
    CHECK(!sovits::version().empty());

    expect_error(SOVITS_STATUS_IO, [&] { sovits::Model::from_dir("/no/such/dir"); }, "from_dir on a missing folder");
    sovits::Model model = sovits::Model::from_dir(dir);
    CHECK(model.sample_rate() == 32000);

    expect_error(SOVITS_STATUS_IO, [&] { sovits::Voice::from_wav(model, "/no/such.wav", "", "en"); }, "missing wav");
    expect_error(SOVITS_STATUS_INVALID_ARG, [&] { sovits::Voice::from_wav(model, ref, "Hi.", "klingon"); },
                 "unknown language");
    sovits::Voice voice = sovits::Voice::from_wav(model, ref, "Hello there, how are you today", "en");

    sovits::Session session(model);
    sovits::SynthParams sp = sovits::default_synth_params();
    sp.top_k = 1;
    sp.noise_scale = 0.0f;
    sovits::Audio audio = session.synthesize(voice, "Hello from C plus plus.", "en", sp);
    CHECK(audio.size() > 16000 && audio.sample_rate() == 32000);
    std::size_t in_range = 0;
    for (float s : audio) in_range += (s >= -1.0f && s <= 1.0f);
    CHECK(in_range == audio.size());
#if __cplusplus >= 202002L
    CHECK(audio.span().size() == audio.size());
#endif
    sovits::Audio moved = std::move(audio);
    CHECK(audio.empty() && !moved.empty());
    expect_error(SOVITS_STATUS_INVALID_ARG, [&] { session.synthesize(voice, "", "en", sp); }, "empty text");
    CHECK(!session.synthesize(voice, "안녕하세요, 반갑습니다.", "ko", sp).empty());

    // Streaming with a lambda: every piece, then an early stop.
    const std::string three = "One sentence here. Another one there. And a third.";
    sp.split_method = 5;
    std::size_t pieces = 0, samples = 0;
    session.synthesize_stream(voice, three, "en",
                              [&](const float *pcm, std::size_t n, int rate) {
                                  CHECK(pcm != nullptr && n > 0 && rate == 32000);
                                  pieces++;
                                  samples += n;
                                  return true;
                              },
                              sp);
    CHECK(pieces == 3 && samples > 0);
    pieces = 0;
    session.synthesize_stream(voice, three, "en", [&](const float *, std::size_t, int) { return ++pieces < 2; }, sp);
    CHECK(pieces == 2);
    // Cancel from inside the callback: CANCELLED.
    expect_error(SOVITS_STATUS_CANCELLED,
                 [&] {
                     session.synthesize_stream(voice, three, "en",
                                               [&](const float *, std::size_t, int) {
                                                   session.cancel();
                                                   return true;
                                               },
                                               sp);
                 },
                 "cancel");
    // A callback that throws: the synthesis stops and the exception comes back here.
    bool caught = false;
    try {
        session.synthesize_stream(voice, three, "en",
                                  [](const float *, std::size_t, int) -> bool { throw std::runtime_error("boom"); },
                                  sp);
    } catch (const std::runtime_error &e) {
        caught = std::string(e.what()) == "boom";
    }
    CHECK(caught);
    // The session still works afterwards.
    sp.split_method = 1;
    sovits::Audio again = session.synthesize(voice, "Hello from C plus plus.", "en", sp);
    CHECK(again.to_vector() == moved.to_vector());

    // Voices: file, bytes, WAV bytes; the same audio from each.
    const std::string vf = tmp + "/wrapper.voice";
    voice.save(vf);
    std::vector<uint8_t> bytes = voice.to_bytes();
    CHECK(bytes.size() > 1000);
    sovits::Voice from_file = sovits::Voice::load(vf);
    sovits::Voice from_bytes = sovits::Voice::from_bytes(bytes.data(), bytes.size());
    std::vector<char> wav = read_file(ref);
    sovits::Voice from_wav =
        sovits::Voice::from_wav_bytes(model, wav.data(), wav.size(), "Hello there, how are you today", "en");
    for (const sovits::Voice *v : {&from_file, &from_bytes, &from_wav}) {
        CHECK(session.synthesize(*v, "Hello from C plus plus.", "en", sp).to_vector() == moved.to_vector());
    }
    expect_error(SOVITS_STATUS_WEIGHTS, [&] { sovits::Voice::from_bytes(bytes.data(), bytes.size() / 2); },
                 "cut voice bytes");

    // Models from memory.
    std::vector<std::vector<char>> blobs;
    std::vector<sovits::MemoryFile> files;
    for (const char *name : {"gpt_v2.ckpt", "sovits_v2.pth", "chinese-hubert-base/config.json",
                             "chinese-hubert-base/model.safetensors", "chinese-roberta-wwm-ext-large/config.json",
                             "chinese-roberta-wwm-ext-large/model.safetensors",
                             "chinese-roberta-wwm-ext-large/tokenizer.json"}) {
        blobs.push_back(read_file(dir + "/" + name));
        files.push_back({name, blobs.back().data(), blobs.back().size()});
    }
    sovits::Model mem = sovits::Model::from_memory(files);
    sovits::Session mem_session(mem);
    CHECK(mem_session.synthesize(voice, "Hello from C plus plus.", "en", sp).to_vector() == moved.to_vector());
    files.resize(1);
    expect_error(SOVITS_STATUS_IO, [&] { sovits::Model::from_memory(files); }, "a GPT file alone");
    expect_error(SOVITS_STATUS_INVALID_ARG, [&] { sovits::set_num_threads(0); }, "0 threads");

    if (failures) {
        std::fprintf(stderr, "%d check(s) failed\n", failures);
        return 1;
    }
    std::printf("C++ wrapper test: all checks passed\n");
    return 0;
}

// sovits.hpp: a header-only C++17 wrapper of the sovits C API (sovits.h): RAII handles,
// exceptions, lambdas for streaming. Link with -lsovits as for the C API.
//
//   #include "sovits.hpp"
//
//   sovits::Model model = sovits::Model::from_dir("pretrained_models");
//   sovits::Voice voice = sovits::Voice::from_wav(model, "ref.wav", "参考音频的文字。", "zh");
//   sovits::Session session(model);
//   sovits::Audio audio = session.synthesize(voice, "要合成的文字。", "zh");
//   for (float s : audio) { /* ... */ }                  // audio.data(), audio.size(), audio.span()
//   session.synthesize_stream(voice, "很长的文字……", "zh", [&](const float *pcm, size_t n, int rate) {
//       play(pcm, n, rate);
//       return true;                                      // false stops early
//   });
//
// Every failure throws sovits::Error (its status() is the C status code, what() the message).
// An exception thrown by a streaming callback stops the synthesis and is rethrown from
// synthesize_stream once the library has returned (it never unwinds through the library).
// Strings are UTF-8.
#ifndef SOVITS_HPP
#define SOVITS_HPP

#include <cstddef>
#include <cstdint>
#include <exception>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#if __cplusplus >= 202002L
#include <span>
#endif

#include "sovits.h"

namespace sovits {

// A failed call: the C status and the library's message.
class Error : public std::runtime_error {
  public:
    Error(sovits_status status, const std::string &message) : std::runtime_error(message), status_(status) {}
    sovits_status status() const noexcept { return status_; }

  private:
    sovits_status status_;
};

namespace detail {
inline void check(sovits_status st) {
    if (st != SOVITS_STATUS_OK) throw Error(st, sovits_last_error());
}
// Owns one library handle: moves, never copies, frees with `Free` (NULL-safe) when it goes.
template <typename T, void (*Free)(T **)>
class Handle {
  public:
    Handle() = default;
    explicit Handle(T *p) noexcept : p_(p) {}
    Handle(Handle &&o) noexcept : p_(std::exchange(o.p_, nullptr)) {}
    Handle &operator=(Handle &&o) noexcept {
        if (this != &o) {
            Free(&p_);
            p_ = std::exchange(o.p_, nullptr);
        }
        return *this;
    }
    Handle(const Handle &) = delete;
    Handle &operator=(const Handle &) = delete;
    ~Handle() { Free(&p_); }
    T *get() const noexcept { return p_; }

  private:
    T *p_ = nullptr;
};
}  // namespace detail

// The library version ("0.1.0").
inline std::string version() { return sovits_version(); }

// Sets the CPU threads (once, before the first model load).
inline void set_num_threads(int n) { detail::check(sovits_set_num_threads(n)); }

using ModelParams = sovits_model_params;
using SynthParams = sovits_synth_params;
using VoiceParams = sovits_voice_params;

inline ModelParams default_model_params() { return sovits_model_default_params(); }
inline SynthParams default_synth_params() { return sovits_synth_default_params(); }
inline VoiceParams default_voice_params() { return sovits_voice_default_params(); }

// One model file in memory for Model::from_memory: its path inside the model folder and its
// bytes (copied by the call).
struct MemoryFile {
    std::string name;
    const void *data;
    std::size_t size;
};

// Synthesized audio: mono float samples in [-1, 1].
class Audio {
  public:
    Audio() = default;
    explicit Audio(sovits_audio *a) noexcept : a_(a) {}

    const float *data() const noexcept { return a_.get() ? a_.get()->samples : nullptr; }
    std::size_t size() const noexcept { return a_.get() ? static_cast<std::size_t>(a_.get()->n_samples) : 0; }
    bool empty() const noexcept { return size() == 0; }
    int sample_rate() const noexcept { return a_.get() ? a_.get()->sample_rate : 0; }
    const float *begin() const noexcept { return data(); }
    const float *end() const noexcept { return data() + size(); }
    float operator[](std::size_t i) const noexcept { return data()[i]; }
    std::vector<float> to_vector() const { return std::vector<float>(begin(), end()); }
#if __cplusplus >= 202002L
    std::span<const float> span() const noexcept { return {data(), size()}; }
#endif

  private:
    detail::Handle<sovits_audio, sovits_audio_free> a_;
};

// The loaded models; immutable, share one between threads (copies share it too).
class Model {
  public:
    // Loads from a folder laid out like upstream's pretrained_models/.
    static Model from_dir(const std::string &dir) {
        ModelParams p = default_model_params();
        p.model_dir = dir.c_str();
        return load(p);
    }
    // Loads with explicit parameters (paths, device, host GPT decode).
    static Model load(const ModelParams &params) {
        sovits_model *m = nullptr;
        detail::check(sovits_model_load(&params, &m));
        return Model(m);
    }
    // Loads from files in memory (names as inside a model folder: "s1v3.ckpt", ...).
    static Model from_memory(const std::vector<MemoryFile> &files, const ModelParams *params = nullptr) {
        std::vector<sovits_model_file> c;
        c.reserve(files.size());
        for (const MemoryFile &f : files)
            c.push_back(sovits_model_file{f.name.c_str(), static_cast<const uint8_t *>(f.data), f.size});
        sovits_model *m = nullptr;
        detail::check(sovits_model_load_from_memory(c.data(), c.size(), params, &m));
        return Model(m);
    }

    int sample_rate() const noexcept { return sovits_model_sample_rate(m_.get()); }
    const sovits_model *get() const noexcept { return m_.get(); }

  private:
    explicit Model(sovits_model *m) noexcept : m_(m) {}
    detail::Handle<sovits_model, sovits_model_free> m_;
};

// A cloned voice.
class Voice {
  public:
    // From a WAV file and its transcript (ref_text empty: reference-free mode).
    static Voice from_wav(const Model &model, const std::string &wav_path, const std::string &ref_text,
                          const std::string &ref_lang, const VoiceParams *params = nullptr) {
        sovits_voice *v = nullptr;
        detail::check(sovits_voice_from_wav_with(model.get(), wav_path.c_str(), text_or_null(ref_text),
                                                 ref_lang.c_str(), params, &v));
        return Voice(v);
    }
    // From the bytes of a WAV file.
    static Voice from_wav_bytes(const Model &model, const void *wav, std::size_t size, const std::string &ref_text,
                                const std::string &ref_lang, const VoiceParams *params = nullptr) {
        sovits_voice *v = nullptr;
        detail::check(sovits_voice_from_wav_memory(model.get(), static_cast<const uint8_t *>(wav), size,
                                                   text_or_null(ref_text), ref_lang.c_str(), params, &v));
        return Voice(v);
    }
    // From mono float samples at any rate.
    static Voice from_pcm(const Model &model, const float *pcm, std::size_t n, int sample_rate,
                          const std::string &ref_text, const std::string &ref_lang,
                          const VoiceParams *params = nullptr) {
        sovits_voice *v = nullptr;
        detail::check(sovits_voice_new_with(model.get(), pcm, n, sample_rate, text_or_null(ref_text),
                                            ref_lang.c_str(), params, &v));
        return Voice(v);
    }
    // A saved voice file.
    static Voice load(const std::string &path) {
        sovits_voice *v = nullptr;
        detail::check(sovits_voice_load(path.c_str(), &v));
        return Voice(v);
    }
    // A saved voice's bytes.
    static Voice from_bytes(const void *data, std::size_t size) {
        sovits_voice *v = nullptr;
        detail::check(sovits_voice_load_from_memory(static_cast<const uint8_t *>(data), size, &v));
        return Voice(v);
    }

    void save(const std::string &path) const { detail::check(sovits_voice_save(v_.get(), path.c_str())); }
    std::vector<uint8_t> to_bytes() const {
        sovits_buffer *b = nullptr;
        detail::check(sovits_voice_save_to_memory(v_.get(), &b));
        std::vector<uint8_t> out(b->data, b->data + b->size);
        sovits_buffer_free(&b);
        return out;
    }
    // Adds a reference clip (the timbre becomes the mean over the clips).
    void add_reference(const Model &model, const float *pcm, std::size_t n, int sample_rate,
                       const VoiceParams *params = nullptr) {
        detail::check(sovits_voice_add_reference_with(model.get(), v_.get(), pcm, n, sample_rate, params));
    }
    const sovits_voice *get() const noexcept { return v_.get(); }

  private:
    explicit Voice(sovits_voice *v) noexcept : v_(v) {}
    static const char *text_or_null(const std::string &s) { return s.empty() ? nullptr : s.c_str(); }
    detail::Handle<sovits_voice, sovits_voice_free> v_;
};

// One synthesis at a time; cancel() from any thread.
class Session {
  public:
    explicit Session(const Model &model) {
        sovits_session *s = nullptr;
        detail::check(sovits_session_new(model.get(), &s));
        s_ = Handle(s);
    }

    // The whole utterance.
    Audio synthesize(const Voice &voice, const std::string &text, const std::string &lang,
                     const SynthParams &params = default_synth_params()) {
        sovits_audio *a = nullptr;
        detail::check(sovits_synthesize(s_.get(), voice.get(), text.c_str(), lang.c_str(), &params, &a));
        return Audio(a);
    }

    // Calls on_audio(const float *pcm, size_t n, int sample_rate) -> bool with each piece as it
    // is made (sentences, or token chunks with params.streaming_mode 2/3); returning false
    // stops early. Returns normally when stopped that way; throws sovits::Error with
    // SOVITS_STATUS_CANCELLED after cancel(), and rethrows what on_audio threw.
    template <typename F>
    void synthesize_stream(const Voice &voice, const std::string &text, const std::string &lang, F &&on_audio,
                           const SynthParams &params = default_synth_params()) {
        struct Ctx {
            F *f;
            std::exception_ptr error;
        } ctx{&on_audio, nullptr};
        auto trampoline = [](const float *pcm, uint64_t n, int32_t rate, void *user) -> int32_t {
            Ctx *c = static_cast<Ctx *>(user);
            try {
                return (*c->f)(pcm, static_cast<std::size_t>(n), static_cast<int>(rate)) ? 1 : 0;
            } catch (...) {
                c->error = std::current_exception();
                return 0;
            }
        };
        sovits_status st =
            sovits_synthesize_stream(s_.get(), voice.get(), text.c_str(), lang.c_str(), &params, trampoline, &ctx);
        if (ctx.error) std::rethrow_exception(ctx.error);
        detail::check(st);
    }

    void cancel() const noexcept { sovits_session_cancel(s_.get()); }

  private:
    using Handle = detail::Handle<sovits_session, sovits_session_free>;
    Handle s_;
};

}  // namespace sovits

#endif  // SOVITS_HPP

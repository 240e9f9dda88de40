/* Minimal sovits C program: load the models, clone a voice, write the synthesized speech to a
 * raw 32-bit float file (mono, 32 kHz) and stream a second text sentence by sentence.
 *
 * Build (from the repository root, after `cargo build --release -p sovits-ffi`):
 *   cc -std=c99 -O2 -Iinclude examples/c/main.c -Ltarget/release -lsovits \
 *      -Wl,-rpath,$PWD/target/release -o sovits_demo
 * Run on the tiny test model shipped in the repository (random weights: a test signal, not speech):
 *   ./sovits_demo tests/fixtures/parity/tiny/official tests/fixtures/parity/tiny/io/ref_32k.wav \
 *      "Hello there, how are you today" en "Hello from C." en out.f32
 * With the official weights: ./sovits_demo pretrained_models ref.wav "参考音频的文字。" zh "要合成的文字。" zh out.f32
 */
#include <stdio.h>

#include "sovits.h"

static int32_t on_sentence(const float *pcm, uint64_t n, int32_t rate, void *user_data) {
    (void)pcm;
    int *count = (int *)user_data;
    printf("  sentence %d: %.2f s\n", ++*count, (double)n / rate);
    return 1; /* 0 would stop */
}

static int fail(const char *what) {
    fprintf(stderr, "%s: %s\n", what, sovits_last_error());
    return 1;
}

int main(int argc, char **argv) {
    if (argc != 8) {
        fprintf(stderr, "usage: %s MODEL_DIR REF_WAV REF_TEXT REF_LANG TEXT TEXT_LANG OUT.f32\n", argv[0]);
        return 2;
    }
    const char *model_dir = argv[1], *ref_wav = argv[2], *ref_text = argv[3], *ref_lang = argv[4];
    const char *text = argv[5], *text_lang = argv[6], *out_path = argv[7];
    printf("sovits %s (ABI %u)\n", sovits_version(), sovits_abi_version());

    sovits_model_params mp = sovits_model_default_params();
    mp.model_dir = model_dir; /* or name each file: mp.gpt_path, mp.sovits_path, ... */
    sovits_model *model = NULL;
    if (sovits_model_load(&mp, &model) != SOVITS_STATUS_OK) return fail("loading the models");

    sovits_voice *voice = NULL;
    if (sovits_voice_from_wav(model, ref_wav, ref_text, ref_lang, &voice) != SOVITS_STATUS_OK)
        return fail("making the voice");

    sovits_session *session = NULL;
    if (sovits_session_new(model, &session) != SOVITS_STATUS_OK) return fail("making a session");

    sovits_synth_params sp = sovits_synth_default_params();
    sovits_audio *audio = NULL;
    if (sovits_synthesize(session, voice, text, text_lang, &sp, &audio) != SOVITS_STATUS_OK)
        return fail("synthesizing");
    FILE *f = fopen(out_path, "wb");
    if (f) {
        fwrite(audio->samples, sizeof(float), (size_t)audio->n_samples, f);
        fclose(f);
    }
    printf("wrote %s: %.2f s at %d Hz\n", out_path, (double)audio->n_samples / audio->sample_rate, audio->sample_rate);

    int count = 0;
    if (sovits_synthesize_stream(session, voice, text, text_lang, &sp, on_sentence, &count) != SOVITS_STATUS_OK)
        return fail("streaming");

    sovits_audio_free(&audio);
    sovits_session_free(&session);
    sovits_voice_free(&voice);
    sovits_model_free(&model);
    return 0;
}

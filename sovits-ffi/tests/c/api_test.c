/* The C API end to end on the tiny test model: load, voice, synthesize, stream, cancel,
 * voice files, frees, and every class of bad input giving a status and a message.
 * Built and run by sovits-ffi/tests/c_api.rs:
 *   api_test GPT SOVITS HUBERT_DIR BERT_DIR REF_WAV TMP_DIR HOSTILE_DIR
 * HOSTILE_DIR holds the malformed files of tests/fixtures/hostile/. */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sovits.h"

static int failures = 0;

#define CHECK(cond)                                                                \
    do {                                                                           \
        if (!(cond)) {                                                             \
            fprintf(stderr, "FAIL %s:%d: %s (last error: %s)\n", __FILE__, __LINE__, \
                    #cond, sovits_last_error());                                   \
            failures++;                                                            \
        }                                                                          \
    } while (0)

#define EXPECT_STATUS(call, want)                                                        \
    do {                                                                                 \
        sovits_status got_ = (call);                                                     \
        if (got_ != (want)) {                                                            \
            fprintf(stderr, "FAIL %s:%d: %s gave %d, want %d (%s)\n", __FILE__, __LINE__, \
                    #call, (int)got_, (int)(want), sovits_last_error());                 \
            failures++;                                                                  \
        } else if ((want) != SOVITS_STATUS_OK && strlen(sovits_last_error()) == 0) {     \
            fprintf(stderr, "FAIL %s:%d: %s gave no message\n", __FILE__, __LINE__, #call); \
            failures++;                                                                  \
        }                                                                                \
    } while (0)

static int log_lines = 0;
static void on_log(int32_t level, const char *message, void *user_data) {
    (void)level;
    (void)message;
    (*(int *)user_data)++;
}

struct stream_state {
    int chunks;
    uint64_t samples;
    int stop_after;              /* return 0 after this many chunks (0 = never) */
    sovits_session *to_cancel;   /* cancel this session from the callback */
};

static int32_t on_audio(const float *pcm, uint64_t n, int32_t rate, void *user_data) {
    struct stream_state *s = (struct stream_state *)user_data;
    CHECK(pcm != NULL && n > 0 && rate == 32000);
    s->chunks++;
    s->samples += n;
    if (s->to_cancel) sovits_session_cancel(s->to_cancel);
    if (s->stop_after && s->chunks >= s->stop_after) return 0;
    return 1;
}

/* The whole file, malloc'd (NULL if unreadable). */
static unsigned char *read_file(const char *path, uint64_t *size) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *buf = n > 0 ? (unsigned char *)malloc((size_t)n) : NULL;
    if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
        free(buf);
        buf = NULL;
    }
    fclose(f);
    *size = buf ? (uint64_t)n : 0;
    return buf;
}

/* The same audio, sample for sample. */
static int same_audio(const sovits_audio *a, const sovits_audio *b) {
    return a && b && a->n_samples == b->n_samples &&
           memcmp(a->samples, b->samples, (size_t)a->n_samples * sizeof(float)) == 0;
}

int main(int argc, char **argv) {
    if (argc != 8) {
        fprintf(stderr, "usage: %s GPT SOVITS HUBERT_DIR BERT_DIR REF_WAV TMP_DIR HOSTILE_DIR\n", argv[0]);
        return 2;
    }
    const char *ref_wav = argv[5];
    char voice_file[4096];
    snprintf(voice_file, sizeof voice_file, "%s/c_test.voice", argv[6]);

    CHECK(sovits_abi_version() == SOVITS_ABI_VERSION);
    CHECK(strlen(sovits_version()) > 0);
    sovits_log_set(on_log, &log_lines);

    /* Bad model paths: status + message, out pointer untouched. */
    sovits_model *model = NULL;
    sovits_model_params mp = sovits_model_default_params();
    CHECK(mp.struct_size == sizeof(sovits_model_params));
    EXPECT_STATUS(sovits_model_load(&mp, &model), SOVITS_STATUS_NULL_ARG);
    mp.model_dir = "/no/such/dir";
    EXPECT_STATUS(sovits_model_load(&mp, &model), SOVITS_STATUS_IO);
    CHECK(model == NULL);
    mp.model_dir = argv[6]; /* exists, but holds no model files */
    EXPECT_STATUS(sovits_model_load(&mp, &model), SOVITS_STATUS_IO);
    CHECK(strstr(sovits_last_error(), ".ckpt") != NULL);
    CHECK(model == NULL);
    mp = sovits_model_default_params();
    mp.gpt_path = argv[1];
    mp.sovits_path = argv[2];
    mp.hubert_dir = argv[3];
    mp.bert_dir = "/no/such/bert";
    EXPECT_STATUS(sovits_model_load(&mp, &model), SOVITS_STATUS_IO);
    mp.bert_dir = argv[4];
    mp.sovits_path = argv[1]; /* a GPT file where SoVITS belongs */
    EXPECT_STATUS(sovits_model_load(&mp, &model), SOVITS_STATUS_WEIGHTS);
    /* Malformed model files: each a WEIGHTS status with a message, never a crash. */
    char path[4096];
    const char *bad_sovits[] = {"huge_hidden.pth", "deep_config.pth", "negative_offset.pth", "huge_shape.pth",
                                "broadcast_view.pth", "claims_4gb_entry.pth", "scalar_weights.pth"};
    for (size_t i = 0; i < sizeof bad_sovits / sizeof bad_sovits[0]; i++) {
        snprintf(path, sizeof path, "%s/%s", argv[7], bad_sovits[i]);
        mp.sovits_path = path;
        sovits_status st = sovits_model_load(&mp, &model);
        if (st != SOVITS_STATUS_WEIGHTS && st != SOVITS_STATUS_UNSUPPORTED) {
            fprintf(stderr, "FAIL: %s as SoVITS gave %d (%s)\n", bad_sovits[i], (int)st, sovits_last_error());
            failures++;
        }
        CHECK(model == NULL && strlen(sovits_last_error()) > 0);
    }
    mp.sovits_path = argv[2];
    snprintf(path, sizeof path, "%s/empty_gpt.ckpt", argv[7]);
    mp.gpt_path = path;
    EXPECT_STATUS(sovits_model_load(&mp, &model), SOVITS_STATUS_WEIGHTS);
    CHECK(strstr(sovits_last_error(), "stopped early") != NULL);
    /* Garbage bytes under a checkpoint's name. */
    char garbage_file[4096];
    snprintf(garbage_file, sizeof garbage_file, "%s/garbage.ckpt", argv[6]);
    FILE *gf = fopen(garbage_file, "wb");
    CHECK(gf != NULL);
    if (gf) {
        unsigned int x = 12345;
        fputs("PK\003\004", gf);
        for (int i = 0; i < 5000; i++) {
            x = x * 1103515245u + 12345u;
            fputc((int)((x >> 16) & 0xff), gf);
        }
        fclose(gf);
    }
    mp.gpt_path = garbage_file;
    EXPECT_STATUS(sovits_model_load(&mp, &model), SOVITS_STATUS_WEIGHTS);
    mp.gpt_path = argv[1];
    mp.struct_size = 4;
    EXPECT_STATUS(sovits_model_load(&mp, &model), SOVITS_STATUS_INVALID_ARG);
    mp.struct_size = sizeof(sovits_model_params);
    EXPECT_STATUS(sovits_model_load(NULL, &model), SOVITS_STATUS_NULL_ARG);
    EXPECT_STATUS(sovits_model_load(&mp, NULL), SOVITS_STATUS_NULL_ARG);
    /* Devices: an unknown one; CUDA in a build without it. */
    mp.device = 7;
    EXPECT_STATUS(sovits_model_load(&mp, &model), SOVITS_STATUS_INVALID_ARG);
    mp.device = SOVITS_DEVICE_CUDA;
    EXPECT_STATUS(sovits_model_load(&mp, &model), SOVITS_STATUS_UNSUPPORTED);
    CHECK(strstr(sovits_last_error(), "cuda") != NULL);
    /* A caller built against the first header (no device fields): the defaults (the CPU) apply
     * to the fields it lacks, whatever the bytes after its struct hold. */
    mp.struct_size = (uint32_t)offsetof(sovits_model_params, device);
    EXPECT_STATUS(sovits_model_load(&mp, &model), SOVITS_STATUS_OK);
    mp.struct_size = sizeof(sovits_model_params);
    mp.device = SOVITS_DEVICE_CPU;
    CHECK(model != NULL);
    CHECK(sovits_model_sample_rate(model) == 32000);
    CHECK(sovits_model_sample_rate(NULL) == 0);

    /* Voices. */
    sovits_voice *voice = NULL;
    EXPECT_STATUS(sovits_voice_from_wav(model, "/no/such.wav", NULL, NULL, &voice), SOVITS_STATUS_IO);
    EXPECT_STATUS(sovits_voice_from_wav(model, argv[1], NULL, NULL, &voice), SOVITS_STATUS_AUDIO); /* not a WAV */
    static float short_clip[16000];
    for (int i = 0; i < 16000; i++) short_clip[i] = (i % 50) / 100.0f;
    EXPECT_STATUS(sovits_voice_new(model, short_clip, 16000, 16000, "Hi there.", "en", &voice), SOVITS_STATUS_AUDIO);
    EXPECT_STATUS(sovits_voice_new(model, NULL, 16000, 16000, NULL, NULL, &voice), SOVITS_STATUS_NULL_ARG);
    EXPECT_STATUS(sovits_voice_new(model, short_clip, 16000, 0, NULL, NULL, &voice), SOVITS_STATUS_INVALID_ARG);
    const char bad_utf8[] = {'H', 'i', (char)0xff, (char)0xfe, 0};
    EXPECT_STATUS(sovits_voice_from_wav(model, ref_wav, bad_utf8, "en", &voice), SOVITS_STATUS_INVALID_ARG);
    EXPECT_STATUS(sovits_voice_from_wav(model, ref_wav, "Hello there.", NULL, &voice), SOVITS_STATUS_NULL_ARG);
    EXPECT_STATUS(sovits_voice_from_wav(model, ref_wav, "Hello there.", "xx", &voice), SOVITS_STATUS_INVALID_ARG);
    CHECK(strstr(sovits_last_error(), "all_zh, zh, en, auto") != NULL);
    /* The 3-10 s window: refused by default, open with allow_any_length. */
    sovits_voice_params vp = sovits_voice_default_params();
    CHECK(vp.struct_size == sizeof(sovits_voice_params) && vp.allow_any_length == 0);
    EXPECT_STATUS(sovits_voice_new_with(model, short_clip, 16000, 16000, NULL, NULL, &vp, &voice), SOVITS_STATUS_AUDIO);
    vp.allow_any_length = 1;
    EXPECT_STATUS(sovits_voice_new_with(model, short_clip, 16000, 16000, NULL, NULL, &vp, &voice), SOVITS_STATUS_OK);
    CHECK(voice != NULL);
    sovits_voice_free(&voice);
    vp.struct_size = 0;
    EXPECT_STATUS(sovits_voice_new_with(model, short_clip, 16000, 16000, NULL, NULL, &vp, &voice),
                  SOVITS_STATUS_INVALID_ARG);
    EXPECT_STATUS(sovits_voice_from_wav_with(model, ref_wav, NULL, NULL, NULL, &voice), SOVITS_STATUS_OK);
    EXPECT_STATUS(sovits_voice_add_reference(model, voice, short_clip, 16000, 16000), SOVITS_STATUS_AUDIO);
    vp.struct_size = sizeof(sovits_voice_params);
    EXPECT_STATUS(sovits_voice_add_reference_with(model, voice, short_clip, 16000, 16000, &vp), SOVITS_STATUS_OK);
    sovits_voice_free(&voice);
    /* Malformed WAVs: a 1 Hz file, a header that claims 4 billion samples, garbage. */
    snprintf(path, sizeof path, "%s/rate_1hz.wav", argv[7]);
    EXPECT_STATUS(sovits_voice_from_wav(model, path, NULL, NULL, &voice), SOVITS_STATUS_AUDIO);
    snprintf(path, sizeof path, "%s/claims_4g_samples.wav", argv[7]);
    EXPECT_STATUS(sovits_voice_from_wav(model, path, NULL, NULL, &voice), SOVITS_STATUS_AUDIO);
    EXPECT_STATUS(sovits_voice_from_wav(model, garbage_file, NULL, NULL, &voice), SOVITS_STATUS_AUDIO);
    EXPECT_STATUS(sovits_voice_new(model, short_clip, 16000, 1, NULL, NULL, &voice), SOVITS_STATUS_INVALID_ARG);
    /* A transcript far too long for the prompt. */
    static char long_text[200001];
    for (int i = 0; i < 200000; i++) long_text[i] = (i % 6 == 5) ? ' ' : 'a';
    long_text[200000] = 0;
    sovits_status long_st = sovits_voice_from_wav(model, ref_wav, long_text, "en", &voice);
    CHECK(long_st == SOVITS_STATUS_INVALID_ARG);
    CHECK(voice == NULL);
    EXPECT_STATUS(sovits_voice_from_wav(model, ref_wav, "Hello there, how are you today", "en", &voice),
                  SOVITS_STATUS_OK);
    CHECK(voice != NULL);
    EXPECT_STATUS(sovits_voice_save(voice, voice_file), SOVITS_STATUS_OK);
    sovits_voice *loaded = NULL;
    EXPECT_STATUS(sovits_voice_load(voice_file, &loaded), SOVITS_STATUS_OK);
    EXPECT_STATUS(sovits_voice_load(ref_wav, &loaded), SOVITS_STATUS_WEIGHTS); /* not a voice file */
    EXPECT_STATUS(sovits_voice_load(garbage_file, &loaded), SOVITS_STATUS_WEIGHTS);
    EXPECT_STATUS(sovits_voice_load("/no/such.voice", &loaded), SOVITS_STATUS_IO);
    /* A voice file cut short. */
    char cut_file[4096];
    snprintf(cut_file, sizeof cut_file, "%s/cut.voice", argv[6]);
    FILE *vf = fopen(voice_file, "rb");
    FILE *cf = fopen(cut_file, "wb");
    CHECK(vf != NULL && cf != NULL);
    if (vf && cf) {
        char buf[300];
        size_t n = fread(buf, 1, sizeof buf, vf);
        fwrite(buf, 1, n, cf);
    }
    if (vf) fclose(vf);
    if (cf) fclose(cf);
    EXPECT_STATUS(sovits_voice_load(cut_file, &loaded), SOVITS_STATUS_WEIGHTS);
    CHECK(loaded != NULL); /* still the voice loaded above: failures leave out pointers alone */

    /* Synthesis. */
    sovits_session *session = NULL;
    EXPECT_STATUS(sovits_session_new(model, &session), SOVITS_STATUS_OK);
    sovits_synth_params sp = sovits_synth_default_params();
    sp.top_k = 1;
    sp.noise_scale = 0.0f;
    sovits_audio *audio = NULL;
    EXPECT_STATUS(sovits_synthesize(session, loaded, "Hello from C. This is a test.", "EN", &sp, &audio),
                  SOVITS_STATUS_OK);
    CHECK(audio != NULL && audio->n_samples > 16000 && audio->sample_rate == 32000);
    if (audio) {
        for (uint64_t i = 0; i < audio->n_samples; i++) {
            if (!(audio->samples[i] >= -1.0f && audio->samples[i] <= 1.0f)) {
                CHECK(!"sample out of range");
                break;
            }
        }
    }
    sovits_audio_free(&audio);
    CHECK(audio == NULL);
    sovits_audio_free(&audio); /* double free: a no-op */
    sovits_audio_free(NULL);

    /* Bad synthesis input. */
    EXPECT_STATUS(sovits_synthesize(session, voice, "", "en", &sp, &audio), SOVITS_STATUS_INVALID_ARG);
    EXPECT_STATUS(sovits_synthesize(session, voice, bad_utf8, "en", &sp, &audio), SOVITS_STATUS_INVALID_ARG);
    EXPECT_STATUS(sovits_synthesize(session, voice, NULL, "en", &sp, &audio), SOVITS_STATUS_NULL_ARG);
    EXPECT_STATUS(sovits_synthesize(session, voice, "Hello.", "klingon", &sp, &audio), SOVITS_STATUS_INVALID_ARG);
    CHECK(strstr(sovits_last_error(), "all_zh, zh, en, auto") != NULL);
    /* Korean (UTF-8; no BERT, so the tiny model reads it), in both of its codes. */
    EXPECT_STATUS(sovits_synthesize(session, voice, "\xec\x95\x88\xeb\x85\x95\xed\x95\x98\xec\x84\xb8\xec\x9a\x94, \xeb\xb0\x98\xea\xb0\x91\xec\x8a\xb5\xeb\x8b\x88\xeb\x8b\xa4.", "ko", &sp, &audio), SOVITS_STATUS_OK);
    CHECK(audio != NULL);
    sovits_audio_free(&audio);
    EXPECT_STATUS(sovits_synthesize(session, voice, "\xec\x95\x88\xeb\x85\x95\xed\x95\x98\xec\x84\xb8\xec\x9a\x94, \xeb\xb0\x98\xea\xb0\x91\xec\x8a\xb5\xeb\x8b\x88\xeb\x8b\xa4.", "all_ko", &sp, &audio), SOVITS_STATUS_OK);
    CHECK(audio != NULL);
    sovits_audio_free(&audio);
    /* Japanese (UTF-8), in both of its codes. */
    EXPECT_STATUS(sovits_synthesize(session, voice, "\xe3\x81\x93\xe3\x82\x93\xe3\x81\xab\xe3\x81\xa1\xe3\x81\xaf\xe3\x80\x82", "all_ja", &sp, &audio), SOVITS_STATUS_OK);
    CHECK(audio != NULL);
    sovits_audio_free(&audio);
    EXPECT_STATUS(sovits_synthesize(session, voice, "\xe4\xbb\x8a\xe6\x97\xa5\xe3\x81\xaf OK \xe3\x81\xa7\xe3\x81\x99\xe3\x80\x82", "JA", &sp, &audio), SOVITS_STATUS_OK);
    CHECK(audio != NULL);
    sovits_audio_free(&audio);
    EXPECT_STATUS(sovits_synthesize(NULL, voice, "Hi.", "en", &sp, &audio), SOVITS_STATUS_NULL_ARG);
    sovits_synth_params bad = sp;
    bad.top_k = 0;
    EXPECT_STATUS(sovits_synthesize(session, voice, "Hello.", "en", &bad, &audio), SOVITS_STATUS_INVALID_ARG);
    bad = sp;
    bad.speed = -1.0f;
    EXPECT_STATUS(sovits_synthesize(session, voice, "Hello.", "en", &bad, &audio), SOVITS_STATUS_INVALID_ARG);
    bad = sp;
    bad.split_method = 9;
    EXPECT_STATUS(sovits_synthesize(session, voice, "Hello.", "en", &bad, &audio), SOVITS_STATUS_INVALID_ARG);
    bad = sp;
    bad.struct_size = 8;
    EXPECT_STATUS(sovits_synthesize(session, voice, "Hello.", "en", &bad, &audio), SOVITS_STATUS_INVALID_ARG);
    bad = sp;
    bad.max_text_chars = 5;
    EXPECT_STATUS(sovits_synthesize(session, voice, "Hello there.", "en", &bad, &audio), SOVITS_STATUS_INVALID_ARG);
    CHECK(strstr(sovits_last_error(), "max_text_chars") != NULL);
    bad = sp;
    bad.max_text_chars = 0;
    EXPECT_STATUS(sovits_synthesize(session, voice, "Hello.", "en", &bad, &audio), SOVITS_STATUS_INVALID_ARG);
    EXPECT_STATUS(sovits_synthesize(session, voice, long_text, "en", &sp, &audio), SOVITS_STATUS_INVALID_ARG);
    /* Control characters only: dropped by the frontend; whatever is left is spoken or refused. */
    sovits_status ctl = sovits_synthesize(session, voice, "\x01\x02\x03\x1b[0m", "en", &sp, &audio);
    CHECK(ctl == SOVITS_STATUS_OK || ctl == SOVITS_STATUS_INVALID_ARG);
    sovits_audio_free(&audio);
    EXPECT_STATUS(sovits_synthesize(session, voice, "Hello.", "", &sp, &audio), SOVITS_STATUS_INVALID_ARG);
    CHECK(audio == NULL);
    /* A caller built against the first header (no max_text_chars) still works: the field it
     * does not know keeps its default. */
    bad = sp;
    bad.struct_size = (uint32_t)offsetof(sovits_synth_params, max_text_chars);
    bad.max_text_chars = 1; /* beyond the caller's struct: ignored */
    EXPECT_STATUS(sovits_synthesize(session, voice, "Hello there.", "en", &bad, &audio), SOVITS_STATUS_OK);
    sovits_audio_free(&audio);

    /* Streaming: every sentence, early stop, cancel. */
    const char *three = "One sentence here. Another one follows. And a third one ends it.";
    sp.split_method = 5;
    struct stream_state st = {0, 0, 0, NULL};
    EXPECT_STATUS(sovits_synthesize_stream(session, voice, three, "en", &sp, on_audio, &st), SOVITS_STATUS_OK);
    CHECK(st.chunks == 3 && st.samples > 0);
    struct stream_state early = {0, 0, 1, NULL};
    EXPECT_STATUS(sovits_synthesize_stream(session, voice, three, "en", &sp, on_audio, &early), SOVITS_STATUS_OK);
    CHECK(early.chunks == 1);
    struct stream_state cancel = {0, 0, 0, session};
    EXPECT_STATUS(sovits_synthesize_stream(session, voice, three, "en", &sp, on_audio, &cancel),
                  SOVITS_STATUS_CANCELLED);
    CHECK(cancel.chunks == 1);
    EXPECT_STATUS(sovits_synthesize_stream(session, voice, three, "en", &sp, NULL, NULL), SOVITS_STATUS_NULL_ARG);
    /* The session works again after a cancel. */
    struct stream_state again = {0, 0, 0, NULL};
    EXPECT_STATUS(sovits_synthesize_stream(session, voice, three, "en", &sp, on_audio, &again), SOVITS_STATUS_OK);
    CHECK(again.chunks == 3);
    sovits_session_cancel(NULL);

    /* Token-chunk streaming (api_v2 mode 3): more pieces than sentences, cancel within one. */
    sovits_synth_params chunked = sp;
    chunked.streaming_mode = 3;
    chunked.chunk_length = 4;
    struct stream_state pieces = {0, 0, 0, NULL};
    EXPECT_STATUS(sovits_synthesize_stream(session, voice, three, "en", &chunked, on_audio, &pieces), SOVITS_STATUS_OK);
    CHECK(pieces.chunks > 3 && pieces.samples > 0);
    struct stream_state piece_cancel = {0, 0, 0, session};
    EXPECT_STATUS(sovits_synthesize_stream(session, voice, three, "en", &chunked, on_audio, &piece_cancel),
                  SOVITS_STATUS_CANCELLED);
    CHECK(piece_cancel.chunks == 1);
    chunked.streaming_mode = 4;
    EXPECT_STATUS(sovits_synthesize_stream(session, voice, three, "en", &chunked, on_audio, &pieces),
                  SOVITS_STATUS_INVALID_ARG);
    chunked.streaming_mode = 2;
    chunked.overlap_length = 5;
    EXPECT_STATUS(sovits_synthesize_stream(session, voice, three, "en", &chunked, on_audio, &pieces),
                  SOVITS_STATUS_INVALID_ARG);
    chunked.overlap_length = 2;
    chunked.batch_size = 0;
    EXPECT_STATUS(sovits_synthesize_stream(session, voice, three, "en", &chunked, on_audio, &pieces),
                  SOVITS_STATUS_INVALID_ARG);
    chunked.batch_size = 1;
    chunked.chunk_length = 0;
    EXPECT_STATUS(sovits_synthesize_stream(session, voice, three, "en", &chunked, on_audio, &pieces),
                  SOVITS_STATUS_INVALID_ARG);

    /* Models, voices and references from memory. */
    {
        const char *names[] = {"gpt_v2.ckpt",
                               "sovits_v2.pth",
                               "chinese-hubert-base/config.json",
                               "chinese-hubert-base/model.safetensors",
                               "chinese-roberta-wwm-ext-large/config.json",
                               "chinese-roberta-wwm-ext-large/model.safetensors",
                               "chinese-roberta-wwm-ext-large/tokenizer.json"};
        enum { N_FILES = 7 };
        char paths[N_FILES][4096];
        snprintf(paths[0], sizeof paths[0], "%s", argv[1]);
        snprintf(paths[1], sizeof paths[1], "%s", argv[2]);
        snprintf(paths[2], sizeof paths[2], "%s/config.json", argv[3]);
        snprintf(paths[3], sizeof paths[3], "%s/model.safetensors", argv[3]);
        snprintf(paths[4], sizeof paths[4], "%s/config.json", argv[4]);
        snprintf(paths[5], sizeof paths[5], "%s/model.safetensors", argv[4]);
        snprintf(paths[6], sizeof paths[6], "%s/tokenizer.json", argv[4]);
        sovits_model_file files[N_FILES];
        unsigned char *bufs[N_FILES];
        for (int i = 0; i < N_FILES; i++) {
            uint64_t n = 0;
            bufs[i] = read_file(paths[i], &n);
            CHECK(bufs[i] != NULL);
            files[i].name = names[i];
            files[i].data = bufs[i];
            files[i].size = n;
        }
        sovits_model *mem_model = NULL;
        EXPECT_STATUS(sovits_model_load_from_memory(files, N_FILES, NULL, &mem_model), SOVITS_STATUS_OK);
        for (int i = 0; i < N_FILES; i++) free(bufs[i]); /* the library copied them */
        CHECK(mem_model != NULL && sovits_model_sample_rate(mem_model) == 32000);
        sovits_session *mem_session = NULL;
        EXPECT_STATUS(sovits_session_new(mem_model, &mem_session), SOVITS_STATUS_OK);
        sovits_audio *a = NULL, *b = NULL;
        EXPECT_STATUS(sovits_synthesize(session, loaded, "Hello from memory.", "en", &sp, &a), SOVITS_STATUS_OK);
        EXPECT_STATUS(sovits_synthesize(mem_session, loaded, "Hello from memory.", "en", &sp, &b), SOVITS_STATUS_OK);
        CHECK(same_audio(a, b));
        sovits_audio_free(&b);
        /* Bad memory arguments. */
        EXPECT_STATUS(sovits_model_load_from_memory(NULL, N_FILES, NULL, &mem_model), SOVITS_STATUS_NULL_ARG);
        EXPECT_STATUS(sovits_model_load_from_memory(files, 0, NULL, &mem_model), SOVITS_STATUS_INVALID_ARG);
        sovits_model_file one = {"gpt_v2.ckpt", (const uint8_t *)"PK\003\004", 4};
        EXPECT_STATUS(sovits_model_load_from_memory(&one, 1, NULL, &mem_model), SOVITS_STATUS_IO);
        CHECK(strstr(sovits_last_error(), "<memory>") != NULL);
        sovits_model_file bad_name = {"../gpt.ckpt", (const uint8_t *)"x", 1};
        EXPECT_STATUS(sovits_model_load_from_memory(&bad_name, 1, NULL, &mem_model), SOVITS_STATUS_INVALID_ARG);
        sovits_model_file no_data = {"gpt.ckpt", NULL, 10};
        EXPECT_STATUS(sovits_model_load_from_memory(&no_data, 1, NULL, &mem_model), SOVITS_STATUS_NULL_ARG);
        sovits_model_params with_dir = sovits_model_default_params();
        with_dir.model_dir = "/tmp";
        EXPECT_STATUS(sovits_model_load_from_memory(&one, 1, &with_dir, &mem_model), SOVITS_STATUS_INVALID_ARG);
        sovits_session_free(&mem_session);
        sovits_model_free(&mem_model);

        /* A voice into a buffer and back: the same audio. */
        sovits_buffer *saved = NULL;
        EXPECT_STATUS(sovits_voice_save_to_memory(loaded, &saved), SOVITS_STATUS_OK);
        CHECK(saved != NULL && saved->size > 1000);
        sovits_voice *from_buf = NULL;
        EXPECT_STATUS(sovits_voice_load_from_memory(saved->data, saved->size, &from_buf), SOVITS_STATUS_OK);
        EXPECT_STATUS(sovits_synthesize(session, from_buf, "Hello from memory.", "en", &sp, &b), SOVITS_STATUS_OK);
        CHECK(same_audio(a, b));
        sovits_audio_free(&b);
        EXPECT_STATUS(sovits_voice_load_from_memory(saved->data, saved->size / 2, &from_buf), SOVITS_STATUS_WEIGHTS);
        EXPECT_STATUS(sovits_voice_load_from_memory(NULL, 10, &from_buf), SOVITS_STATUS_NULL_ARG);
        EXPECT_STATUS(sovits_voice_load_from_memory(saved->data, 0, &from_buf), SOVITS_STATUS_INVALID_ARG);
        EXPECT_STATUS(sovits_voice_save_to_memory(NULL, &saved), SOVITS_STATUS_NULL_ARG);
        sovits_buffer_free(&saved);
        sovits_buffer_free(&saved);
        sovits_buffer_free(NULL);
        CHECK(saved == NULL);
        sovits_voice_free(&from_buf);

        /* A reference clip from WAV bytes: the voice the file gives. */
        uint64_t wav_size = 0;
        unsigned char *wav = read_file(ref_wav, &wav_size);
        CHECK(wav != NULL);
        sovits_voice *from_wav = NULL;
        EXPECT_STATUS(sovits_voice_from_wav_memory(model, wav, wav_size, "Hello there, how are you today", "en", NULL,
                                                   &from_wav),
                      SOVITS_STATUS_OK);
        EXPECT_STATUS(sovits_synthesize(session, from_wav, "Hello from memory.", "en", &sp, &b), SOVITS_STATUS_OK);
        CHECK(same_audio(a, b));
        sovits_audio_free(&b);
        sovits_voice_free(&from_wav);
        EXPECT_STATUS(sovits_voice_from_wav_memory(model, wav, 40, NULL, NULL, NULL, &from_wav), SOVITS_STATUS_AUDIO);
        EXPECT_STATUS(sovits_voice_from_wav_memory(model, NULL, 40, NULL, NULL, NULL, &from_wav),
                      SOVITS_STATUS_NULL_ARG);
        free(wav);
        sovits_audio_free(&a);

        /* Threads: a bad count; another count once the threads run. */
        EXPECT_STATUS(sovits_set_num_threads(0), SOVITS_STATUS_INVALID_ARG);
        EXPECT_STATUS(sovits_set_num_threads(5000), SOVITS_STATUS_INVALID_ARG);
        EXPECT_STATUS(sovits_set_num_threads(1000), SOVITS_STATUS_INVALID_ARG);
        CHECK(strstr(sovits_last_error(), "already running") != NULL);
    }

    /* Frees: NULL-safe and idempotent. */
    sovits_session_free(&session);
    sovits_session_free(&session);
    sovits_voice_free(&voice);
    sovits_voice_free(&voice);
    sovits_voice_free(&loaded);
    sovits_voice_free(NULL);
    sovits_model_free(&model);
    sovits_model_free(&model);
    sovits_model_free(NULL);
    CHECK(model == NULL && voice == NULL && session == NULL);
    CHECK(log_lines > 0);
    sovits_log_set(NULL, NULL);

    if (failures) {
        fprintf(stderr, "%d check(s) failed\n", failures);
        return 1;
    }
    printf("C API test: all checks passed\n");
    return 0;
}

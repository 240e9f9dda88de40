/* The C API from several threads: one model, one session per thread, two voices, many short
 * syntheses with varying parameters, some cancelled from a helper thread. Every completed job
 * must give the same samples as its single-threaded run; RSS must stay flat.
 * Built and run by the ignored test `c_soak` in sovits-ffi/tests/c_api.rs:
 *   soak_test GPT SOVITS HUBERT_DIR BERT_DIR REF_WAV THREADS JOBS */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sovits.h"

static const char *TEXTS[] = {"Good morning.", "This is a test. It has two sentences.",
                              "The quick brown fox jumps over 13 lazy dogs.", "One. Two. Three."};

static sovits_model *model;
static sovits_voice *voices[2];
static int n_jobs;
static float **ref_pcm;
static uint64_t *ref_len;
static int mismatches, errors, cancelled, completed;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static int is_cancel_job(int i) { return i % 7 == 3; }

static sovits_synth_params job_params(int i) {
    sovits_synth_params p = sovits_synth_default_params();
    p.top_k = 1 + i % 10;
    p.seed = (uint64_t)i;
    p.noise_scale = (float)(i % 3) * 0.2f;
    p.speed = 0.9f + (float)(i % 3) * 0.1f;
    p.split_method = (i % 2) ? 5 : 1;
    p.max_tokens = 40 + i % 60;
    return p;
}

static long rss_kb(void) {
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long kb = 0;
    if (!f) return 0;
    while (fgets(line, sizeof line, f))
        if (strncmp(line, "VmRSS:", 6) == 0) kb = atol(line + 6);
    fclose(f);
    return kb;
}

struct canceller {
    sovits_session *session;
    long delay_ms;
};

static void *cancel_later(void *arg) {
    struct canceller *c = (struct canceller *)arg;
    struct timespec ts = {c->delay_ms / 1000, (c->delay_ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
    sovits_session_cancel(c->session);
    return NULL;
}

/* Runs job i on `session`; returns its status and the audio in *out (NULL unless OK). */
static sovits_status run_job(sovits_session *session, int i, sovits_audio **out) {
    sovits_synth_params p = job_params(i);
    return sovits_synthesize(session, voices[i % 2], TEXTS[i % 4], "en", &p, out);
}

static void *worker(void *arg) {
    int t = (int)(intptr_t)((void **)arg)[0];
    int threads = (int)(intptr_t)((void **)arg)[1];
    sovits_session *session = NULL;
    if (sovits_session_new(model, &session) != SOVITS_STATUS_OK) {
        pthread_mutex_lock(&lock);
        errors++;
        pthread_mutex_unlock(&lock);
        return NULL;
    }
    for (int i = t; i < n_jobs; i += threads) {
        sovits_audio *a = NULL;
        if (is_cancel_job(i)) {
            /* Its own session: a cancel that arrives after the call ended stays pending. */
            sovits_session *s = NULL;
            sovits_session_new(model, &s);
            struct canceller c = {s, (long)(i % 40)};
            pthread_t h;
            pthread_create(&h, NULL, cancel_later, &c);
            sovits_status st = run_job(s, i, &a);
            pthread_join(h, NULL);
            pthread_mutex_lock(&lock);
            if (st == SOVITS_STATUS_CANCELLED) cancelled++;
            else if (st == SOVITS_STATUS_OK) completed++;
            else { errors++; fprintf(stderr, "job %d: status %d (%s)\n", i, (int)st, sovits_last_error()); }
            pthread_mutex_unlock(&lock);
            sovits_audio_free(&a);
            sovits_session_free(&s);
            continue;
        }
        sovits_status st = run_job(session, i, &a);
        pthread_mutex_lock(&lock);
        if (st != SOVITS_STATUS_OK) {
            errors++;
            fprintf(stderr, "job %d: status %d (%s)\n", i, (int)st, sovits_last_error());
        } else {
            completed++;
            if (a->n_samples != ref_len[i] || memcmp(a->samples, ref_pcm[i], ref_len[i] * sizeof(float)) != 0) {
                mismatches++;
                fprintf(stderr, "job %d differs from its single-threaded run\n", i);
            }
        }
        pthread_mutex_unlock(&lock);
        sovits_audio_free(&a);
    }
    sovits_session_free(&session);
    return NULL;
}

int main(int argc, char **argv) {
    if (argc != 8) {
        fprintf(stderr, "usage: %s GPT SOVITS HUBERT_DIR BERT_DIR REF_WAV THREADS JOBS\n", argv[0]);
        return 2;
    }
    int threads = atoi(argv[6]);
    n_jobs = atoi(argv[7]);
    sovits_model_params mp = sovits_model_default_params();
    mp.gpt_path = argv[1];
    mp.sovits_path = argv[2];
    mp.hubert_dir = argv[3];
    mp.bert_dir = argv[4];
    if (sovits_model_load(&mp, &model) != SOVITS_STATUS_OK ||
        sovits_voice_from_wav(model, argv[5], "Hello there, how are you today", "en", &voices[0]) !=
            SOVITS_STATUS_OK ||
        sovits_voice_from_wav(model, argv[5], NULL, NULL, &voices[1]) != SOVITS_STATUS_OK) {
        fprintf(stderr, "setup failed: %s\n", sovits_last_error());
        return 1;
    }
    /* Single-threaded reference runs. */
    ref_pcm = calloc((size_t)n_jobs, sizeof *ref_pcm);
    ref_len = calloc((size_t)n_jobs, sizeof *ref_len);
    sovits_session *session = NULL;
    sovits_session_new(model, &session);
    struct timespec t0, t1, t2;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (int i = 0; i < n_jobs; i++) {
        if (is_cancel_job(i)) continue;
        sovits_audio *a = NULL;
        if (run_job(session, i, &a) != SOVITS_STATUS_OK) {
            fprintf(stderr, "reference job %d failed: %s\n", i, sovits_last_error());
            return 1;
        }
        ref_len[i] = a->n_samples;
        ref_pcm[i] = malloc(a->n_samples * sizeof(float));
        memcpy(ref_pcm[i], a->samples, a->n_samples * sizeof(float));
        sovits_audio_free(&a);
    }
    sovits_session_free(&session);
    long rss_warm = rss_kb();
    clock_gettime(CLOCK_MONOTONIC, &t1);
    pthread_t *tid = calloc((size_t)threads, sizeof *tid);
    void *(*args)[2] = calloc((size_t)threads, sizeof *args);
    for (int t = 0; t < threads; t++) {
        args[t][0] = (void *)(intptr_t)t;
        args[t][1] = (void *)(intptr_t)threads;
        pthread_create(&tid[t], NULL, worker, args[t]);
    }
    for (int t = 0; t < threads; t++) pthread_join(tid[t], NULL);
    clock_gettime(CLOCK_MONOTONIC, &t2);
    long rss_end = rss_kb();
    double single = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    double multi = (double)(t2.tv_sec - t1.tv_sec) + (double)(t2.tv_nsec - t1.tv_nsec) / 1e9;
    printf("C soak: %d jobs on %d threads in %.1f s (single-threaded reference %.1f s): %d completed, %d cancelled, "
           "%d errors, %d mismatches; RSS after warm-up %ld MB, end %ld MB\n",
           n_jobs, threads, multi, single, completed, cancelled, errors, mismatches, rss_warm / 1024, rss_end / 1024);
    for (int i = 0; i < n_jobs; i++) free(ref_pcm[i]);
    free(ref_pcm);
    free(ref_len);
    free(tid);
    free(args);
    sovits_voice_free(&voices[0]);
    sovits_voice_free(&voices[1]);
    sovits_model_free(&model);
    int flat = rss_end <= rss_warm + rss_warm / 4 + 65536;
    if (!flat) fprintf(stderr, "RSS grew from %ld MB to %ld MB\n", rss_warm / 1024, rss_end / 1024);
    return (errors || mismatches || !flat) ? 1 : 0;
}

//! Soak test: one `Tts` shared by 8 threads, four voices, three rounds of 320 short syntheses
//! with random parameters, some cancelled midway (from the callback and from another thread).
//! Every completed synthesis must equal the same job run alone, memory must stay flat after
//! warm-up, and the whole run must finish (no deadlock). Takes minutes, so it is ignored by the
//! default `cargo test`:
//!
//! ```sh
//! cargo test --release --test suite soak:: -- --ignored --nocapture
//! ```
//!
//! The numbers of the last run are in docs/reliability.md. The same through the C API from
//! several threads: `sovits-ffi/tests/c/soak_test.c` (run by `sovits-ffi/tests/c_api.rs`).

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use sovits_core::Error;
use sovits_core::audio::read_wav;
use sovits_core::backend::CpuBackend;
use sovits_core::models::gpt::SamplingParams;
use sovits_core::pipeline::{
    CancelToken, ReferenceOptions, SynthesisParams, Transcript, Tts, TtsOptions, Voice, VoiceOptions,
};
use sovits_core::rng::Rng;
use sovits_core::text::Lang;
use sovits_core::text::split::CutMethod;

type B = CpuBackend;

const THREADS: usize = 8;
const JOBS: usize = 320;
const ROUNDS: usize = 3;
const TEXTS: [&str; 6] = [
    "Good morning.",
    "This is a test. It has two sentences.",
    "The quick brown fox jumps over 13 lazy dogs.",
    "Hello there, how are you today? Fine, thanks.",
    "One. Two. Three. Four. Five.",
    "Numbers like 42 and 3.5 are read aloud.",
];

#[derive(Clone, Debug)]
enum Cancel {
    None,
    /// The callback cancels after this many chunks.
    AfterChunks(usize),
    /// Another thread cancels after this many milliseconds.
    AfterMillis(u64),
}

#[derive(Clone, Debug)]
struct Job {
    voice: usize,
    text: &'static str,
    params: SynthesisParams,
    cancel: Cancel,
}

fn jobs() -> Vec<Job> {
    let mut rng = Rng::new(7);
    let mut pick = |n: usize| (rng.next_u64() % n as u64) as usize;
    let cuts = [CutMethod::Cut0, CutMethod::Cut1, CutMethod::Cut4, CutMethod::Cut5];
    (0..JOBS)
        .map(|i| {
            let sampling = SamplingParams {
                top_k: 1 + pick(20),
                temperature: 0.6 + pick(7) as f32 * 0.1,
                repetition_penalty: 1.0 + pick(5) as f32 * 0.1,
                ..SamplingParams::default()
            };
            let speed = 0.8 + pick(6) as f32 * 0.1;
            let noise_scale = pick(4) as f32 * 0.2;
            let sampling = SamplingParams { seed: pick(1000) as u64, ..sampling };
            let split = cuts[pick(cuts.len())];
            let sampling = SamplingParams { max_steps: 40 + pick(80), ..sampling };
            let params = SynthesisParams { sampling, speed, noise_scale, split, ..SynthesisParams::default() };
            let cancel = match i % 10 {
                3 => Cancel::AfterChunks(1),
                7 => Cancel::AfterMillis(pick(30) as u64),
                _ => Cancel::None,
            };
            Job { voice: pick(4), text: TEXTS[pick(TEXTS.len())], params, cancel }
        })
        .collect()
}

/// Runs a job: `Ok(Some(samples))` when it completed, `Ok(None)` when it was cancelled.
fn run(tts: &Tts<B>, voices: &[Voice], job: &Job) -> Result<Option<Vec<f32>>, Error> {
    let token = CancelToken::new();
    let stopper = match job.cancel {
        Cancel::AfterMillis(ms) => {
            let t = token.clone();
            Some(std::thread::spawn(move || {
                std::thread::sleep(Duration::from_millis(ms));
                t.cancel();
            }))
        }
        _ => None,
    };
    let mut samples = Vec::new();
    let mut chunks = 0;
    let r = tts.synthesize_stream(&voices[job.voice], job.text, Lang::En, &job.params, &token, |c| {
        samples.extend_from_slice(&c.samples);
        chunks += 1;
        if matches!(job.cancel, Cancel::AfterChunks(n) if chunks >= n) {
            token.cancel();
        }
        true
    });
    if let Some(s) = stopper {
        s.join().expect("canceller thread");
    }
    match r {
        Ok(_) => Ok(Some(samples)),
        Err(Error::Cancelled) => Ok(None),
        Err(e) => Err(e),
    }
}

fn rss_kb() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

#[test]
#[ignore = "soak: minutes; cargo test --release --test suite soak:: -- --ignored --nocapture"]
fn soak_one_model_many_threads() {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        soak();
        tx.send(()).ok()
    });
    match rx.recv_timeout(Duration::from_secs(30 * 60)) {
        Ok(()) => {}
        Err(mpsc::RecvTimeoutError::Disconnected) => panic!("the soak run failed (see the panic above)"),
        Err(mpsc::RecvTimeoutError::Timeout) => panic!("the soak run did not finish in 30 minutes (deadlock?)"),
    }
}

fn soak() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/parity/tiny");
    let paths = sovits_suite::fixtures::tiny_model_paths();
    let tts = Arc::new(Tts::<B>::load(&paths, &TtsOptions::default(), &Default::default()).expect("tiny model"));
    let reference = read_wav(root.join("io/ref_32k.wav")).unwrap();
    let fe = VoiceOptions::default();
    // The shorter clip is under 3 s: it needs the window opened.
    let open =
        VoiceOptions { reference: ReferenceOptions { allow_any_length: true, ..Default::default() }, ..fe.clone() };
    let with_text =
        tts.voice(&reference, Some(&Transcript::new("Hello there, how are you today", Lang::En)), &fe).unwrap();
    let free = tts.voice(&reference, None, &fe).unwrap();
    let mut multi =
        tts.voice(&reference, Some(&Transcript::new("It is a fine day for a walk", Lang::En)), &fe).unwrap();
    let half = sovits_core::audio::Audio {
        samples: reference.samples[..reference.samples.len() * 2 / 3].to_vec(),
        sample_rate: reference.sample_rate,
    };
    tts.add_reference(&mut multi, &half, &open.reference).unwrap();
    // A second reference-free voice from a shorter clip (under 3 s: no prompt is made from it).
    let other = tts.voice(&half, None, &open).unwrap();
    let voices = Arc::new(vec![with_text, free, multi, other]);
    let jobs = Arc::new(jobs());

    // Three rounds of every job on 8 threads; RSS after each. The first round is the warm-up
    // (per-thread allocator arenas, lazily built tables); rounds two and three must not grow.
    let t0 = Instant::now();
    let mut rss = vec![rss_kb()];
    let mut results: Vec<Option<Option<Vec<f32>>>> = vec![None; JOBS];
    for round in 0..ROUNDS {
        let (tx, rx) = mpsc::channel();
        let handles: Vec<_> = (0..THREADS)
            .map(|t| {
                let (tts, voices, jobs, tx) = (tts.clone(), voices.clone(), jobs.clone(), tx.clone());
                std::thread::spawn(move || {
                    for i in (t..JOBS).step_by(THREADS) {
                        let out = run(&tts, &voices, &jobs[i]).unwrap_or_else(|e| panic!("job {i}: {e}"));
                        tx.send((i, out)).unwrap();
                    }
                })
            })
            .collect();
        drop(tx);
        for (i, out) in rx.iter() {
            // Completed jobs must give the same audio in every round.
            if let (Some(Some(Some(before))), Some(now)) = (results.get(i), out.as_ref()) {
                assert_eq!(before, now, "job {i} differs between rounds");
            }
            if round == 0 || results[i].as_ref().is_some_and(Option::is_none) {
                results[i] = Some(out);
            }
        }
        for h in handles {
            h.join().expect("worker thread");
        }
        rss.push(rss_kb());
    }
    let threaded = t0.elapsed();

    // Single-threaded reference runs of every job that completed (cancel-free variants of
    // the cancelled ones are skipped: where they stop depends on timing).
    let t1 = Instant::now();
    let (mut completed, mut cancelled, mut compared) = (0, 0, 0);
    for (i, r) in results.iter().enumerate() {
        match r.as_ref().expect("every job reported") {
            None => cancelled += 1,
            Some(samples) => {
                completed += 1;
                if matches!(jobs[i].cancel, Cancel::None) {
                    let alone = run(&tts, &voices, &jobs[i]).unwrap().expect("not cancelled");
                    assert_eq!(&alone, samples, "job {i} differs from its single-threaded run");
                    compared += 1;
                }
            }
        }
    }
    let single = t1.elapsed();
    println!(
        "soak: {ROUNDS} rounds of {JOBS} syntheses on {THREADS} threads in {:.1} s ({completed} jobs completed, \
         {cancelled} cancelled in every round); {compared} compared with single-threaded runs ({:.1} s), all identical",
        threaded.as_secs_f64(),
        single.as_secs_f64()
    );
    let mb: Vec<u64> = rss.iter().map(|kb| kb / 1024).collect();
    println!("soak: RSS before the rounds and after each, MB: {mb:?}");
    // A cancel after the first chunk stops every job of more than one sentence; one-sentence
    // jobs and late cross-thread cancels may complete.
    assert!(cancelled > 0, "no job was cancelled");
    // Flat after warm-up: the last round ends within 10% (+32 MB of allocator slack) of the first.
    let (warm, last) = (rss[1], rss[ROUNDS]);
    assert!(last <= warm + warm / 10 + 32_768, "RSS grew from {} MB after round 1 to {} MB", warm / 1024, last / 1024);
}

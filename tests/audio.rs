//! WAV input in every supported encoding, resampling, and bad files.

use std::path::PathBuf;

use sovits_core::Error;
use sovits_core::audio::{read_wav, read_wav_bytes, resample, write_wav};

fn tmp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("sovits-audio-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

/// Mono 16 kHz 16-bit PCM, the spec of the error-case files.
const MONO_16K_PCM16: hound::WavSpec =
    hound::WavSpec { channels: 1, sample_rate: 16000, bits_per_sample: 16, sample_format: hound::SampleFormat::Int };

fn write(path: &PathBuf, spec: hound::WavSpec, frames: &[[f64; 2]]) {
    let mut w = hound::WavWriter::create(path, spec).unwrap();
    for f in frames {
        for &v in &f[..spec.channels as usize] {
            match (spec.sample_format, spec.bits_per_sample) {
                (hound::SampleFormat::Float, _) => w.write_sample(v as f32).unwrap(),
                (_, 8) => w.write_sample((v * 128.0) as i8).unwrap(),
                (_, 16) => w.write_sample((v * 32768.0) as i16).unwrap(),
                (_, bits) => w.write_sample((v * (1i64 << (bits - 1)) as f64) as i32).unwrap(),
            }
        }
    }
    w.finalize().unwrap();
}

#[test]
fn reads_every_encoding_and_mixes_stereo() {
    let frames: Vec<[f64; 2]> = (0..100).map(|i| [0.5 * (i as f64 / 100.0), -0.25]).collect();
    for (fmt, bits) in [
        (hound::SampleFormat::Int, 8),
        (hound::SampleFormat::Int, 16),
        (hound::SampleFormat::Int, 24),
        (hound::SampleFormat::Int, 32),
        (hound::SampleFormat::Float, 32),
    ] {
        for channels in [1u16, 2] {
            let p = tmp(&format!("{bits}-{fmt:?}-{channels}.wav"));
            write(
                &p,
                hound::WavSpec { channels, sample_rate: 22050, bits_per_sample: bits, sample_format: fmt },
                &frames,
            );
            let a = read_wav(&p).unwrap();
            assert_eq!(a.sample_rate, 22050);
            assert_eq!(a.samples.len(), 100);
            let tol = if bits == 8 { 1.0 / 64.0 } else { 1e-4 };
            for (i, s) in a.samples.iter().enumerate() {
                let want = if channels == 2 { (frames[i][0] + frames[i][1]) / 2.0 } else { frames[i][0] };
                assert!((*s as f64 - want).abs() < tol, "{bits}-bit {fmt:?} x{channels}: {s} vs {want}");
            }
        }
    }
}

#[test]
fn bad_wavs_are_clear_errors() {
    let p = tmp("empty.wav");
    write(&p, MONO_16K_PCM16, &[]);
    let e = read_wav(&p).unwrap_err();
    assert!(matches!(&e, Error::Audio(m) if m.contains("no samples")), "{e}");

    let e = read_wav_bytes(b"definitely not RIFF data").unwrap_err();
    assert!(matches!(&e, Error::Audio(m) if m.contains("not a readable WAV")), "{e}");
    let e = read_wav_bytes(&[]).unwrap_err();
    assert!(matches!(e, Error::Audio(_)), "{e}");

    let e = read_wav(tmp("does-not-exist.wav")).unwrap_err();
    assert!(matches!(e, Error::Io { .. }), "{e}");

    // A truncated file: header says more data than there is.
    let p = tmp("ok.wav");
    write(&p, MONO_16K_PCM16, &[[0.1, 0.0]; 1000]);
    let bytes = std::fs::read(&p).unwrap();
    let r = read_wav_bytes(&bytes[..bytes.len() - 501]);
    // hound either reports the short read or returns the samples that are there; never a panic.
    if let Ok(a) = r {
        assert!(a.samples.len() < 1000);
    }
}

#[test]
fn fixture_wavs_match_their_tensors() {
    // io/ref_32k.wav holds the same samples as e2e's in.ref_wav_32k (sample / 32768).
    let dir = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/parity/tiny/io"));
    let a = read_wav(dir.join("ref_32k.wav")).unwrap();
    assert_eq!(a.sample_rate, 32000);
    let st = sovits_core::weights::TensorStore::from_safetensors_file(dir.join("e2e.safetensors")).unwrap();
    assert_eq!(a.samples, st.get("in.ref_wav_32k").unwrap().to_f32());
    let b = read_wav(dir.join("ref_16k.wav")).unwrap();
    assert_eq!(b.sample_rate, 16000);
    assert_eq!(b.samples, st.get("in.ref_wav_16k").unwrap().to_f32());
}

#[test]
fn resampling_lengths_and_round_trip() {
    let x: Vec<f32> = (0..48000).map(|i| (i as f32 * 0.05).sin() * 0.3).collect();
    for to in [16000, 32000, 8000, 44100] {
        let y = resample(&x, 48000, to).unwrap();
        assert_eq!(y.len(), (48000u64 * to as u64).div_ceil(48000) as usize, "to {to}");
    }
    assert!(resample(&x, 0, 16000).is_err());
    assert_eq!(resample(&x, 16000, 16000).unwrap(), x);
    let p = tmp("roundtrip.wav");
    write_wav(&p, &x, 48000).unwrap();
    let r = read_wav(&p).unwrap();
    assert_eq!(r.samples.len(), x.len());
    assert!(r.samples.iter().zip(&x).all(|(a, b)| (a - b).abs() < 1e-4));
}

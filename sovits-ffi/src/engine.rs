//! The loaded models behind a `sovits_model`, whatever the backend: [`Engine`] is the part of
//! [`Tts`] the C API calls, object-safe so one handle type serves the CPU and CUDA builds.

use burn::tensor::backend::Backend;
use sovits_core::Result;
use sovits_core::audio::Audio;
use sovits_core::pipeline::{
    CancelToken, Chunk, ReferenceOptions, SynthesisParams, Transcript, Tts, Voice, VoiceOptions,
};
use sovits_core::text::Lang;

/// What the C API asks of the loaded models.
pub trait Engine: Send + Sync {
    fn sample_rate(&self) -> u32;
    fn voice(&self, reference: &Audio, transcript: Option<&Transcript>, opts: &VoiceOptions) -> Result<Voice>;
    fn add_reference(&self, voice: &mut Voice, reference: &Audio, opts: &ReferenceOptions) -> Result<()>;
    fn synthesize_stream(
        &self,
        voice: &Voice,
        text: &str,
        lang: Lang,
        params: &SynthesisParams,
        cancel: &CancelToken,
        on_chunk: &mut dyn FnMut(Chunk) -> bool,
    ) -> Result<usize>;
}

impl<B: Backend> Engine for Tts<B> {
    fn sample_rate(&self) -> u32 {
        Tts::sample_rate(self)
    }

    fn voice(&self, reference: &Audio, transcript: Option<&Transcript>, opts: &VoiceOptions) -> Result<Voice> {
        Tts::voice(self, reference, transcript, opts)
    }

    fn add_reference(&self, voice: &mut Voice, reference: &Audio, opts: &ReferenceOptions) -> Result<()> {
        Tts::add_reference(self, voice, reference, opts)
    }

    fn synthesize_stream(
        &self,
        voice: &Voice,
        text: &str,
        lang: Lang,
        params: &SynthesisParams,
        cancel: &CancelToken,
        on_chunk: &mut dyn FnMut(Chunk) -> bool,
    ) -> Result<usize> {
        Tts::synthesize_stream(self, voice, text, lang, params, cancel, on_chunk)
    }
}

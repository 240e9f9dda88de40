//! The loaded models behind a `sovits_model`, whatever the backend: [`Engine`] is the part of
//! [`Tts`] the C API calls, object-safe so one handle type serves the CPU and CUDA builds.

use std::any::Any;

use burn::tensor::backend::Backend;
use sovits_core::Result;
use sovits_core::audio::Audio;
use sovits_core::pipeline::{
    CancelToken, Chunk, ReferenceOptions, Session, SynthesisParams, Transcript, Tts, Voice, VoiceOptions,
};
use sovits_core::text::Lang;

/// A [`Session`] of some backend (what [`Engine::new_session`] made).
pub type AnySession = Box<dyn Any + Send>;

/// What the C API asks of the loaded models.
pub trait Engine: Send + Sync {
    fn sample_rate(&self) -> u32;
    /// A session (cancel token + GPT state) for this backend.
    fn new_session(&self, cancel: CancelToken) -> AnySession;
    fn voice(&self, reference: &Audio, transcript: Option<&Transcript>, opts: &VoiceOptions) -> Result<Voice>;
    fn add_reference(&self, voice: &mut Voice, reference: &Audio, opts: &ReferenceOptions) -> Result<()>;
    /// Synthesizes in `session`, which must come from this engine's [`Engine::new_session`].
    fn synthesize_in(
        &self,
        session: &mut AnySession,
        voice: &Voice,
        text: &str,
        lang: Lang,
        params: &SynthesisParams,
        on_chunk: &mut dyn FnMut(Chunk) -> bool,
    ) -> Result<usize>;
}

impl<B: Backend> Engine for Tts<B> {
    fn sample_rate(&self) -> u32 {
        Tts::sample_rate(self)
    }

    fn new_session(&self, cancel: CancelToken) -> AnySession {
        Box::new(Session::<B>::with_cancel(cancel))
    }

    fn voice(&self, reference: &Audio, transcript: Option<&Transcript>, opts: &VoiceOptions) -> Result<Voice> {
        Tts::voice(self, reference, transcript, opts)
    }

    fn add_reference(&self, voice: &mut Voice, reference: &Audio, opts: &ReferenceOptions) -> Result<()> {
        Tts::add_reference(self, voice, reference, opts)
    }

    fn synthesize_in(
        &self,
        session: &mut AnySession,
        voice: &Voice,
        text: &str,
        lang: Lang,
        params: &SynthesisParams,
        on_chunk: &mut dyn FnMut(Chunk) -> bool,
    ) -> Result<usize> {
        let session = session.downcast_mut::<Session<B>>().ok_or_else(|| {
            sovits_core::Error::InvalidArgument("the session belongs to a model on another backend".into())
        })?;
        Tts::synthesize_in(self, session, voice, text, lang, params, on_chunk)
    }
}

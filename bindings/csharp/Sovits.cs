// Sovits.cs: the C# binding of the sovits C API (include/sovits.h). One file, netstandard2.1 /
// Mono / Unity (Mono and IL2CPP); C# 7, no `unsafe` needed by callers.
//
//   using (var model = Sovits.Model.FromDirectory("pretrained_models"))
//   using (var voice = Sovits.Voice.FromWav(model, "ref.wav", "Hello there.", "en"))
//   using (var session = new Sovits.Session(model)) {
//       float[] audio = session.Synthesize(voice, "Hello from C#.", "en");
//       session.SynthesizeStream(voice, "Long text ...", "en", (pcm, rate) => { Play(pcm, rate); return true; });
//       float[] later = await session.SynthesizeAsync(voice, "Async.", "en", cancellationToken);
//   }
//
// Rules kept here so callers need not know them: every string goes in and out as UTF-8 bytes
// (never the ANSI code page); library-owned strings are read from an IntPtr and never freed by
// the marshaller; handles are SafeHandles; the streaming callback is a static method marked
// [MonoPInvokeCallback] that finds its context through a GCHandle in user_data (IL2CPP can call
// nothing else), and an exception thrown by the caller's delegate is caught there, stops the
// synthesis and is rethrown from SynthesizeStream: it never unwinds into the library.
using System;
using System.Runtime.InteropServices;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace AOT
{
    /// <summary>Marks a static method the native library calls back (Unity's IL2CPP needs it).</summary>
    [AttributeUsage(AttributeTargets.Method)]
    public sealed class MonoPInvokeCallbackAttribute : Attribute
    {
        public MonoPInvokeCallbackAttribute(Type delegateType) { DelegateType = delegateType; }
        public Type DelegateType { get; private set; }
    }
}

namespace Sovits
{
    /// <summary>The C API's status codes.</summary>
    public enum Status
    {
        Ok = 0, NullArg = 1, InvalidArg = 2, Io = 3, Weights = 4, Unsupported = 5, Cancelled = 6, Audio = 7, Panic = 8,
    }

    /// <summary>A failed call: its status and the library's message.</summary>
    public class SovitsException : Exception
    {
        public SovitsException(Status status, string message) : base(message) { Status = status; }
        public Status Status { get; private set; }
    }

    /// <summary>Synthesis settings (sovits_synth_params); start from <see cref="SynthParams.Default"/>.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct SynthParams
    {
        public uint StructSize;
        public int TopK;
        public float TopP;
        public float Temperature;
        public float RepetitionPenalty;
        public float Speed;
        public int SplitMethod;
        public float PauseSeconds;
        public ulong Seed;
        public float NoiseScale;
        public int MaxTokens;
        public uint MaxTextChars;
        /// <summary>0/1 whole sentences, 2 chunks cut at silence-like tokens, 3 fixed chunks.</summary>
        public int StreamingMode;
        public int ChunkLength;
        public int OverlapLength;
        public int FirstChunkLength;
        public int BatchSize;

        /// <summary>The original's defaults.</summary>
        public static SynthParams Default { get { return Native.sovits_synth_default_params(); } }
    }

    internal static class Native
    {
        // iOS links the library statically: its symbols are in the app itself.
#if SOVITS_STATIC || (UNITY_IOS && !UNITY_EDITOR)
        const string Lib = "__Internal";
#else
        const string Lib = "sovits";
#endif

        [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
        internal delegate int AudioCallback(IntPtr pcm, ulong n, int sampleRate, IntPtr userData);

        [StructLayout(LayoutKind.Sequential)]
        internal struct ModelParams
        {
            public uint StructSize;
            public IntPtr ModelDir, GptPath, SovitsPath, HubertDir, BertDir;
            public int HostGptDecode, Device, DeviceIndex;
            public IntPtr SvPath;
        }

        [StructLayout(LayoutKind.Sequential)]
        internal struct AudioStruct
        {
            public IntPtr Samples;
            public ulong NSamples;
            public int SampleRate;
        }

        [StructLayout(LayoutKind.Sequential)]
        internal struct BufferStruct
        {
            public IntPtr Data;
            public ulong Size;
        }

        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)] internal static extern IntPtr sovits_version();
        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)] internal static extern IntPtr sovits_last_error();
        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)] internal static extern Status sovits_set_num_threads(int n);
        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)] internal static extern ModelParams sovits_model_default_params();
        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)] internal static extern Status sovits_model_load(ref ModelParams p, out ModelHandle model);
        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)] internal static extern int sovits_model_sample_rate(ModelHandle model);
        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)] internal static extern void sovits_model_free(ref IntPtr model);
        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)] internal static extern SynthParams sovits_synth_default_params();
        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)] internal static extern Status sovits_session_new(ModelHandle model, out SessionHandle session);
        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)] internal static extern void sovits_session_cancel(SessionHandle session);
        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)] internal static extern void sovits_session_free(ref IntPtr session);
        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)] internal static extern Status sovits_synthesize(SessionHandle session, VoiceHandle voice, byte[] text, byte[] lang, ref SynthParams p, out IntPtr audio);
        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)] internal static extern Status sovits_synthesize_stream(SessionHandle session, VoiceHandle voice, byte[] text, byte[] lang, ref SynthParams p, AudioCallback cb, IntPtr userData);
        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)] internal static extern void sovits_audio_free(ref IntPtr audio);
        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)] internal static extern Status sovits_voice_from_wav_with(ModelHandle model, byte[] path, byte[] refText, byte[] refLang, IntPtr p, out VoiceHandle voice);
        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)] internal static extern Status sovits_voice_from_wav_memory(ModelHandle model, byte[] wav, ulong size, byte[] refText, byte[] refLang, IntPtr p, out VoiceHandle voice);
        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)] internal static extern Status sovits_voice_new_with(ModelHandle model, float[] pcm, ulong n, int rate, byte[] refText, byte[] refLang, IntPtr p, out VoiceHandle voice);
        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)] internal static extern Status sovits_voice_load(byte[] path, out VoiceHandle voice);
        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)] internal static extern Status sovits_voice_load_from_memory(byte[] data, ulong size, out VoiceHandle voice);
        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)] internal static extern Status sovits_voice_save(VoiceHandle voice, byte[] path);
        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)] internal static extern Status sovits_voice_save_to_memory(VoiceHandle voice, out IntPtr buffer);
        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)] internal static extern void sovits_buffer_free(ref IntPtr buffer);
        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)] internal static extern void sovits_voice_free(ref IntPtr voice);

        /// <summary>NUL-terminated UTF-8, or null for a null string.</summary>
        internal static byte[] Utf8(string s)
        {
            if (s == null) return null;
            var n = Encoding.UTF8.GetByteCount(s);
            var b = new byte[n + 1];
            Encoding.UTF8.GetBytes(s, 0, s.Length, b, 0);
            return b;
        }

        /// <summary>A library-owned NUL-terminated UTF-8 string (copied, never freed).</summary>
        internal static string FromUtf8(IntPtr p)
        {
            if (p == IntPtr.Zero) return "";
            int n = 0;
            while (Marshal.ReadByte(p, n) != 0) n++;
            var b = new byte[n];
            Marshal.Copy(p, b, 0, n);
            return Encoding.UTF8.GetString(b);
        }

        internal static void Check(Status st)
        {
            if (st != Status.Ok) throw new SovitsException(st, FromUtf8(sovits_last_error()));
        }

        /// <summary>Copies a sovits_audio's samples out and frees it.</summary>
        internal static float[] TakeAudio(IntPtr audio, out int sampleRate)
        {
            var a = (AudioStruct)Marshal.PtrToStructure(audio, typeof(AudioStruct));
            var samples = new float[checked((int)a.NSamples)];
            if (samples.Length > 0) Marshal.Copy(a.Samples, samples, 0, samples.Length);
            sampleRate = a.SampleRate;
            sovits_audio_free(ref audio);
            return samples;
        }
    }

    public sealed class ModelHandle : SafeHandle
    {
        public ModelHandle() : base(IntPtr.Zero, true) { }
        public override bool IsInvalid { get { return handle == IntPtr.Zero; } }
        protected override bool ReleaseHandle() { var h = handle; Native.sovits_model_free(ref h); return true; }
    }

    public sealed class VoiceHandle : SafeHandle
    {
        public VoiceHandle() : base(IntPtr.Zero, true) { }
        public override bool IsInvalid { get { return handle == IntPtr.Zero; } }
        protected override bool ReleaseHandle() { var h = handle; Native.sovits_voice_free(ref h); return true; }
    }

    public sealed class SessionHandle : SafeHandle
    {
        public SessionHandle() : base(IntPtr.Zero, true) { }
        public override bool IsInvalid { get { return handle == IntPtr.Zero; } }
        protected override bool ReleaseHandle() { var h = handle; Native.sovits_session_free(ref h); return true; }
    }

    /// <summary>Library-wide calls.</summary>
    public static class Library
    {
        /// <summary>The library version ("0.1.0").</summary>
        public static string Version { get { return Native.FromUtf8(Native.sovits_version()); } }

        /// <summary>Sets the CPU threads; call once, before the first model load.</summary>
        public static void SetNumThreads(int n) { Native.Check(Native.sovits_set_num_threads(n)); }
    }

    /// <summary>The loaded models: immutable, share one between threads.</summary>
    public sealed class Model : IDisposable
    {
        internal readonly ModelHandle Handle;
        Model(ModelHandle h) { Handle = h; }

        /// <summary>Loads a folder laid out like upstream's pretrained_models/.</summary>
        public static Model FromDirectory(string dir)
        {
            if (dir == null) throw new ArgumentNullException("dir");
            var p = Native.sovits_model_default_params();
            var bytes = Native.Utf8(dir);
            var pin = GCHandle.Alloc(bytes, GCHandleType.Pinned);
            try
            {
                p.ModelDir = pin.AddrOfPinnedObject();
                ModelHandle h;
                Native.Check(Native.sovits_model_load(ref p, out h));
                return new Model(h);
            }
            finally { pin.Free(); }
        }

        public int SampleRate { get { return Native.sovits_model_sample_rate(Handle); } }
        public void Dispose() { Handle.Dispose(); }
    }

    /// <summary>A cloned voice.</summary>
    public sealed class Voice : IDisposable
    {
        internal readonly VoiceHandle Handle;
        Voice(VoiceHandle h) { Handle = h; }

        static Voice Wrap(VoiceHandle h) { return new Voice(h); }

        /// <summary>From a WAV file and its transcript (refText null: reference-free mode).</summary>
        public static Voice FromWav(Model model, string wavPath, string refText, string refLang)
        {
            VoiceHandle raw;
            Native.Check(Native.sovits_voice_from_wav_with(model.Handle, Native.Utf8(wavPath), Native.Utf8(refText), Native.Utf8(refLang), IntPtr.Zero, out raw));
            return Wrap(raw);
        }

        /// <summary>From the bytes of a WAV file (e.g. a Unity TextAsset or a download).</summary>
        public static Voice FromWavBytes(Model model, byte[] wav, string refText, string refLang)
        {
            if (wav == null) throw new ArgumentNullException("wav");
            VoiceHandle raw;
            Native.Check(Native.sovits_voice_from_wav_memory(model.Handle, wav, (ulong)wav.Length, Native.Utf8(refText), Native.Utf8(refLang), IntPtr.Zero, out raw));
            return Wrap(raw);
        }

        /// <summary>From mono samples at any rate (e.g. an AudioClip's data).</summary>
        public static Voice FromPcm(Model model, float[] pcm, int sampleRate, string refText, string refLang)
        {
            if (pcm == null) throw new ArgumentNullException("pcm");
            VoiceHandle raw;
            Native.Check(Native.sovits_voice_new_with(model.Handle, pcm, (ulong)pcm.Length, sampleRate, Native.Utf8(refText), Native.Utf8(refLang), IntPtr.Zero, out raw));
            return Wrap(raw);
        }

        /// <summary>A saved voice file.</summary>
        public static Voice Load(string path)
        {
            VoiceHandle raw;
            Native.Check(Native.sovits_voice_load(Native.Utf8(path), out raw));
            return Wrap(raw);
        }

        /// <summary>A saved voice's bytes (<see cref="ToBytes"/>).</summary>
        public static Voice FromBytes(byte[] data)
        {
            if (data == null) throw new ArgumentNullException("data");
            VoiceHandle raw;
            Native.Check(Native.sovits_voice_load_from_memory(data, (ulong)data.Length, out raw));
            return Wrap(raw);
        }

        public void Save(string path) { Native.Check(Native.sovits_voice_save(Handle, Native.Utf8(path))); }

        public byte[] ToBytes()
        {
            IntPtr buf;
            Native.Check(Native.sovits_voice_save_to_memory(Handle, out buf));
            var b = (Native.BufferStruct)Marshal.PtrToStructure(buf, typeof(Native.BufferStruct));
            var bytes = new byte[checked((int)b.Size)];
            Marshal.Copy(b.Data, bytes, 0, bytes.Length);
            Native.sovits_buffer_free(ref buf);
            return bytes;
        }

        public void Dispose() { Handle.Dispose(); }
    }

    /// <summary>One synthesis at a time; Cancel from any thread.</summary>
    public sealed class Session : IDisposable
    {
        readonly SessionHandle handle;
        readonly object busy = new object();

        public Session(Model model)
        {
            Native.Check(Native.sovits_session_new(model.Handle, out handle));
        }

        /// <summary>The whole utterance, mono float samples at the model's sample rate.</summary>
        public float[] Synthesize(Voice voice, string text, string lang)
        {
            return Synthesize(voice, text, lang, SynthParams.Default);
        }

        public float[] Synthesize(Voice voice, string text, string lang, SynthParams p)
        {
            lock (busy)
            {
                IntPtr audio;
                Native.Check(Native.sovits_synthesize(handle, voice.Handle, Native.Utf8(text), Native.Utf8(lang), ref p, out audio));
                int rate;
                return Native.TakeAudio(audio, out rate);
            }
        }

        sealed class StreamContext
        {
            public Func<float[], int, bool> OnAudio;
            public Exception Error;
        }

        // One delegate instance for the life of the process: the native side may call it at any
        // time during a synthesis, and IL2CPP needs a static method.
        static readonly Native.AudioCallback Trampoline = OnAudioNative;

        [AOT.MonoPInvokeCallback(typeof(Native.AudioCallback))]
        static int OnAudioNative(IntPtr pcm, ulong n, int sampleRate, IntPtr userData)
        {
            var ctx = (StreamContext)GCHandle.FromIntPtr(userData).Target;
            try
            {
                var samples = new float[checked((int)n)];
                Marshal.Copy(pcm, samples, 0, samples.Length);
                return ctx.OnAudio(samples, sampleRate) ? 1 : 0;
            }
            catch (Exception e)
            {
                ctx.Error = e;
                return 0;
            }
        }

        /// <summary>Calls onAudio(samples, sampleRate) with each piece as it is made (sentences, or
        /// token chunks with StreamingMode 2/3); return false to stop early. Throws
        /// SovitsException(Cancelled) after <see cref="Cancel"/>, and rethrows what onAudio threw.</summary>
        public void SynthesizeStream(Voice voice, string text, string lang, Func<float[], int, bool> onAudio)
        {
            SynthesizeStream(voice, text, lang, SynthParams.Default, onAudio);
        }

        public void SynthesizeStream(Voice voice, string text, string lang, SynthParams p, Func<float[], int, bool> onAudio)
        {
            if (onAudio == null) throw new ArgumentNullException("onAudio");
            var ctx = new StreamContext { OnAudio = onAudio };
            var gc = GCHandle.Alloc(ctx);
            try
            {
                Status st;
                lock (busy)
                {
                    st = Native.sovits_synthesize_stream(handle, voice.Handle, Native.Utf8(text), Native.Utf8(lang), ref p, Trampoline, GCHandle.ToIntPtr(gc));
                }
                if (ctx.Error != null) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(ctx.Error).Throw();
                Native.Check(st);
            }
            finally { gc.Free(); }
        }

        /// <summary><see cref="Synthesize(Voice, string, string, SynthParams)"/> on the thread pool;
        /// cancelling the token cancels the synthesis (within one chunk).</summary>
        public Task<float[]> SynthesizeAsync(Voice voice, string text, string lang, CancellationToken ct)
        {
            return SynthesizeAsync(voice, text, lang, SynthParams.Default, ct);
        }

        public Task<float[]> SynthesizeAsync(Voice voice, string text, string lang, SynthParams p, CancellationToken ct)
        {
            return Task.Run(() =>
            {
                ct.ThrowIfCancellationRequested();
                using (ct.Register(Cancel))
                {
                    try { return Synthesize(voice, text, lang, p); }
                    catch (SovitsException e)
                    {
                        if (e.Status == Status.Cancelled && ct.IsCancellationRequested) throw new OperationCanceledException(ct);
                        throw;
                    }
                }
            }, ct);
        }

        /// <summary>Stops the running synthesis (or the next one) with Status.Cancelled.</summary>
        public void Cancel() { if (!handle.IsClosed) Native.sovits_session_cancel(handle); }

        public void Dispose() { handle.Dispose(); }
    }
}

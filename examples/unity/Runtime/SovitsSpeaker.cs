// SovitsSpeaker: speaks text in a cloned voice through this GameObject's AudioSource, streaming:
// playback starts with the first chunk (about 0.64 s of speech) while the rest is made on a
// worker thread. Needs the C# binding (Sovits.cs, copied into this folder by
// scripts/unity_package.sh) and the native library in Plugins/ (docs/engines.md).
using System;
using System.IO;
using System.Threading;
using UnityEngine;

namespace Sovits.Unity
{
    [RequireComponent(typeof(AudioSource))]
    public class SovitsSpeaker : MonoBehaviour
    {
        [Header("Models and voice (paths under StreamingAssets, or absolute)")]
        [Tooltip("A folder laid out like GPT-SoVITS' pretrained_models/")]
        public string modelDirectory = "sovits/pretrained_models";
        [Tooltip("A saved voice (made with the synthesize CLI's --save-voice)")]
        public string voiceFile = "sovits/voice.voice";

        [Header("Speech")]
        [TextArea] public string text = "Hello from Unity.";
        [Tooltip("all_zh, zh, en, all_ja, ja or auto")]
        public string language = "en";
        [Tooltip("3: fixed token chunks (lowest latency); 2: cut at pauses; 0: whole sentences")]
        public int streamingMode = 3;
        public bool speakOnStart = false;

        // Shared by every speaker: the models are large and immutable.
        static Model sharedModel;
        static readonly object modelLock = new object();

        Voice voice;
        Session session;
        AudioSource source;
        Thread worker;
        readonly SampleQueue queue = new SampleQueue();
        int sampleRate = 32000;

        static string Resolve(string p)
        {
            return Path.IsPathRooted(p) ? p : Path.Combine(Application.streamingAssetsPath, p);
        }

        void Awake()
        {
            source = GetComponent<AudioSource>();
        }

        void Start()
        {
            if (speakOnStart) Speak(text);
        }

        /// <summary>Loads the models (once per process) and the voice; Speak calls it when needed.</summary>
        public void Load()
        {
            lock (modelLock)
            {
                if (sharedModel == null) sharedModel = Model.FromDirectory(Resolve(modelDirectory));
            }
            if (voice == null) voice = Voice.Load(Resolve(voiceFile));
            if (session == null) session = new Session(sharedModel);
            sampleRate = sharedModel.SampleRate;
        }

        /// <summary>Starts speaking (stopping what is being said).</summary>
        public void Speak(string what)
        {
            Stop();
            try { Load(); }
            catch (SovitsException e) { Debug.LogError("sovits: " + e.Status + ": " + e.Message); return; }
            queue.Clear();
            var clip = AudioClip.Create("sovits", sampleRate * 600, 1, sampleRate, true, OnAudioRead);
            source.clip = clip;
            source.loop = false;
            source.Play();
            var p = SynthParams.Default;
            p.StreamingMode = streamingMode;
            string lang = language;
            worker = new Thread(() =>
            {
                try
                {
                    session.SynthesizeStream(voice, what, lang, p, (pcm, rate) => { queue.Push(pcm); return true; });
                }
                catch (SovitsException e)
                {
                    if (e.Status != Status.Cancelled) Debug.LogError("sovits: " + e.Status + ": " + e.Message);
                }
                finally { queue.Finish(); }
            });
            worker.IsBackground = true;
            worker.Start();
        }

        /// <summary>Stops speaking (the synthesis stops within one chunk).</summary>
        public void Stop()
        {
            if (session != null) session.Cancel();
            if (worker != null) { worker.Join(); worker = null; }
            if (source != null) source.Stop();
        }

        // The audio thread asks for samples: what the worker made, silence while it catches up.
        void OnAudioRead(float[] data)
        {
            queue.Pop(data);
        }

        void OnDisable() { Stop(); }

        void OnDestroy()
        {
            Stop();
            if (session != null) { session.Dispose(); session = null; }
            if (voice != null) { voice.Dispose(); voice = null; }
        }
    }

    /// <summary>Float samples handed from the synthesis thread to the audio thread.</summary>
    public sealed class SampleQueue
    {
        readonly object gate = new object();
        float[] buffer = new float[32000 * 4];
        int head, count;
        bool finished;

        public void Clear() { lock (gate) { head = 0; count = 0; finished = false; } }

        public void Finish() { lock (gate) finished = true; }

        public bool Done { get { lock (gate) return finished && count == 0; } }

        public void Push(float[] pcm)
        {
            lock (gate)
            {
                if (count + pcm.Length > buffer.Length)
                {
                    var bigger = new float[Math.Max(buffer.Length * 2, count + pcm.Length)];
                    for (int i = 0; i < count; i++) bigger[i] = buffer[(head + i) % buffer.Length];
                    buffer = bigger;
                    head = 0;
                }
                for (int i = 0; i < pcm.Length; i++) buffer[(head + count + i) % buffer.Length] = pcm[i];
                count += pcm.Length;
            }
        }

        /// <summary>Fills data with queued samples, zeros where none are left; returns how many were real.</summary>
        public int Pop(float[] data)
        {
            lock (gate)
            {
                int n = Math.Min(data.Length, count);
                for (int i = 0; i < n; i++) data[i] = buffer[(head + i) % buffer.Length];
                for (int i = n; i < data.Length; i++) data[i] = 0f;
                head = (head + n) % buffer.Length;
                count -= n;
                return n;
            }
        }
    }
}

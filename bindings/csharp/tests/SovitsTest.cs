// The C# binding under Mono on the tiny test model: load, voice, synthesize, streaming with
// stop/cancel/a throwing callback, async with cancellation, every error path, two threads.
// Built and run by scripts/csharp_test.sh:  mono SovitsTest.exe MODEL_DIR REF_WAV TMP_DIR
using System;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Sovits;

static class SovitsTest
{
    static int failures = 0;

    static void Check(bool ok, string what)
    {
        if (!ok) { Console.Error.WriteLine("FAIL: " + what); failures++; }
    }

    static void Expect(Status want, Action f, string what)
    {
        try { f(); Console.Error.WriteLine("FAIL: " + what + " did not throw"); failures++; }
        catch (SovitsException e)
        {
            if (e.Status != want || string.IsNullOrEmpty(e.Message))
            {
                Console.Error.WriteLine("FAIL: " + what + " gave " + e.Status + " (" + e.Message + "), want " + want);
                failures++;
            }
        }
    }

    static int Main(string[] args)
    {
        if (args.Length != 3) { Console.Error.WriteLine("usage: SovitsTest MODEL_DIR REF_WAV TMP_DIR"); return 2; }
        string dir = args[0], refWav = args[1], tmp = args[2];
        Check(Library.Version.Length > 0, "version");
        Expect(Status.Io, () => Model.FromDirectory("/no/such/dir"), "a missing model folder");
        Expect(Status.InvalidArg, () => Library.SetNumThreads(0), "0 threads");

        using (var model = Model.FromDirectory(dir))
        using (var voice = Voice.FromWav(model, refWav, "Hello there, how are you today", "en"))
        using (var session = new Session(model))
        {
            Check(model.SampleRate == 32000, "sample rate");
            var p = SynthParams.Default;
            Check(p.TopK == 15 && p.StructSize > 0, "default params");
            p.TopK = 1;
            p.NoiseScale = 0f;
            float[] audio = session.Synthesize(voice, "Hello from C sharp.", "en", p);
            Check(audio.Length > 16000 && audio.All(s => s >= -1f && s <= 1f), "audio");
            // UTF-8 text and paths survive the boundary (Japanese needs no BERT: the tiny model reads it).
            Check(session.Synthesize(voice, "こんにちは、いい天気ですね。", "ja", p).Length > 0, "Japanese text");
            Expect(Status.InvalidArg, () => session.Synthesize(voice, "Hi.", "klingon", p), "unknown language");
            Check(session.Synthesize(voice, "안녕하세요, 반갑습니다.", "ko", p).Length > 0, "Korean text");
            Expect(Status.InvalidArg, () => session.Synthesize(voice, "", "en", p), "empty text");
            Expect(Status.Io, () => Voice.FromWav(model, "/no/such.wav", null, null), "missing wav");
            Expect(Status.Audio, () => Voice.FromWavBytes(model, new byte[] { 1, 2, 3, 4 }, null, null), "garbage wav bytes");
            Expect(Status.Weights, () => Voice.FromBytes(new byte[] { 9, 9, 9 }), "garbage voice bytes");
            var bad = p; bad.TopK = 0;
            Expect(Status.InvalidArg, () => session.Synthesize(voice, "Hi.", "en", bad), "top_k 0");
            try { session.SynthesizeStream(voice, "Hi.", "en", null); Check(false, "null callback accepted"); }
            catch (ArgumentNullException) { }

            // Streaming: every sentence, an early stop, a cancel, a throwing callback.
            const string three = "One sentence here. Another one there. And a third.";
            var sp = p; sp.SplitMethod = 5;
            int pieces = 0;
            session.SynthesizeStream(voice, three, "en", sp, (pcm, rate) => { pieces++; return pcm.Length > 0 && rate == 32000; });
            Check(pieces == 3, "three pieces, got " + pieces);
            pieces = 0;
            session.SynthesizeStream(voice, three, "en", sp, (pcm, rate) => ++pieces < 2);
            Check(pieces == 2, "stopped after two");
            Expect(Status.Cancelled, () => session.SynthesizeStream(voice, three, "en", sp, (pcm, rate) => { session.Cancel(); return true; }), "cancel");
            bool caught = false;
            try { session.SynthesizeStream(voice, three, "en", sp, (pcm, rate) => { throw new InvalidOperationException("boom"); }); }
            catch (InvalidOperationException e) { caught = e.Message == "boom"; }
            Check(caught, "the callback's exception comes back");
            Check(session.Synthesize(voice, "Hello from C sharp.", "en", p).SequenceEqual(audio), "the session works after a throw");

            // Voices from bytes: the same audio.
            string vf = Path.Combine(tmp, "cs.voice");
            voice.Save(vf);
            using (var loaded = Voice.Load(vf))
            using (var fromBytes = Voice.FromBytes(voice.ToBytes()))
            using (var fromWav = Voice.FromWavBytes(model, File.ReadAllBytes(refWav), "Hello there, how are you today", "en"))
            {
                foreach (var v in new[] { loaded, fromBytes, fromWav })
                    Check(session.Synthesize(v, "Hello from C sharp.", "en", p).SequenceEqual(audio), "voice round trip");
            }

            // Async: a result, a cancelled token, a cancel in the middle.
            var t = session.SynthesizeAsync(voice, "Hello from C sharp.", "en", p, CancellationToken.None);
            Check(t.Result.SequenceEqual(audio), "async result");
            var cts = new CancellationTokenSource();
            cts.Cancel();
            try { session.SynthesizeAsync(voice, "Hi.", "en", p, cts.Token).Wait(); Check(false, "a cancelled token ran"); }
            catch (AggregateException e) { Check(e.InnerException is OperationCanceledException, "cancelled before the start"); }
            string longText = string.Concat(Enumerable.Repeat("This is a long text to read. ", 40));
            var cts2 = new CancellationTokenSource();
            var t2 = session.SynthesizeAsync(voice, longText, "en", sp, cts2.Token);
            Thread.Sleep(300);
            cts2.Cancel();
            try { t2.Wait(); Check(false, "a cancelled synthesis finished (too fast? it has 40 sentences)"); }
            catch (AggregateException e) { Check(e.InnerException is OperationCanceledException, "cancelled in the middle: " + e.InnerException); }

            // Two threads, a session each: the same audio as one thread alone.
            var results = new float[2][];
            var threads = Enumerable.Range(0, 2).Select(i => new Thread(() =>
            {
                using (var s = new Session(model)) results[i] = s.Synthesize(voice, "Hello from C sharp.", "en", p);
            })).ToArray();
            foreach (var th in threads) th.Start();
            foreach (var th in threads) th.Join();
            Check(results.All(r => r != null && r.SequenceEqual(audio)), "two threads");
        }
        // The Unity sample's queue between the synthesis thread and the audio thread.
        var q = new Sovits.Unity.SampleQueue();
        q.Push(new float[] { 1, 2, 3 });
        q.Push(Enumerable.Repeat(0.5f, 200000).ToArray());
        var outBuf = new float[4];
        Check(q.Pop(outBuf) == 4 && outBuf[0] == 1 && outBuf[3] == 0.5f, "queue order");
        var rest = new float[300000];
        Check(q.Pop(rest) == 199999 && rest[199998] == 0.5f && rest[199999] == 0f, "queue pads with silence");
        q.Finish();
        Check(q.Done, "queue done");
        GC.Collect();
        GC.WaitForPendingFinalizers();
        if (failures > 0) { Console.Error.WriteLine(failures + " check(s) failed"); return 1; }
        Console.WriteLine("C# binding test: all checks passed");
        return 0;
    }
}

// The few UnityEngine types examples/unity/Runtime uses, as stubs, so that the sample compiles
// (and its engine-independent parts run) under plain Mono in CI. Not Unity's behaviour.
using System;

namespace UnityEngine
{
    public class Object { }
    public class Component : Object { public T GetComponent<T>() where T : class { return null; } }
    public class Behaviour : Component { }
    public class MonoBehaviour : Behaviour { }

    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true)]
    public sealed class RequireComponent : Attribute { public RequireComponent(Type t) { } }
    [AttributeUsage(AttributeTargets.Field)]
    public sealed class HeaderAttribute : Attribute { public HeaderAttribute(string h) { } }
    [AttributeUsage(AttributeTargets.Field)]
    public sealed class TooltipAttribute : Attribute { public TooltipAttribute(string t) { } }
    [AttributeUsage(AttributeTargets.Field)]
    public sealed class TextAreaAttribute : Attribute { }

    public sealed class AudioClip : Object
    {
        public delegate void PCMReaderCallback(float[] data);
        public static AudioClip Create(string name, int lengthSamples, int channels, int frequency, bool stream,
                                       PCMReaderCallback pcmreadercallback) { return new AudioClip(); }
    }

    public sealed class AudioSource : Behaviour
    {
        public AudioClip clip;
        public bool loop;
        public void Play() { }
        public void Stop() { }
    }

    public static class Application { public static string streamingAssetsPath { get { return "/streaming"; } } }
    public static class Debug { public static void LogError(object m) { Console.Error.WriteLine(m); } }
}

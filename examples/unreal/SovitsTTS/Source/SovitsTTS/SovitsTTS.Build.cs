// The SovitsTTS module: links the sovits library of each platform from ThirdParty/sovits
// (filled as docs/engines.md describes: include/sovits.h + sovits.hpp, and lib/<Platform>/).
using System.IO;
using UnrealBuildTool;

public class SovitsTTS : ModuleRules
{
    public SovitsTTS(ReadOnlyTargetRules Target) : base(Target)
    {
        PCHUsage = PCHUsageMode.UseExplicitOrSharedPCHs;
        CppStandard = CppStandardVersion.Cpp17;
        bEnableExceptions = true; // sovits.hpp reports failures as sovits::Error
        PublicDependencyModuleNames.AddRange(new string[] { "Core", "CoreUObject", "Engine", "AudioMixer" });

        string Sovits = Path.Combine(PluginDirectory, "ThirdParty", "sovits");
        PublicIncludePaths.Add(Path.Combine(Sovits, "include"));
        string Lib = Path.Combine(Sovits, "lib", Target.Platform.ToString());

        if (Target.Platform == UnrealTargetPlatform.Win64)
        {
            // sovits.dll + its import library sovits.dll.lib (cargo builds both).
            PublicAdditionalLibraries.Add(Path.Combine(Lib, "sovits.dll.lib"));
            PublicDelayLoadDLLs.Add("sovits.dll");
            RuntimeDependencies.Add("$(BinaryOutputDir)/sovits.dll", Path.Combine(Lib, "sovits.dll"));
        }
        else if (Target.Platform == UnrealTargetPlatform.Mac)
        {
            PublicAdditionalLibraries.Add(Path.Combine(Lib, "libsovits.dylib"));
            RuntimeDependencies.Add("$(BinaryOutputDir)/libsovits.dylib", Path.Combine(Lib, "libsovits.dylib"));
        }
        else if (Target.Platform == UnrealTargetPlatform.Linux)
        {
            PublicAdditionalLibraries.Add(Path.Combine(Lib, "libsovits.so"));
            RuntimeDependencies.Add("$(BinaryOutputDir)/libsovits.so", Path.Combine(Lib, "libsovits.so"));
        }
        else if (Target.Platform == UnrealTargetPlatform.Android)
        {
            // arm64-v8a; packaged into the APK next to the game's own libraries.
            PublicAdditionalLibraries.Add(Path.Combine(Lib, "arm64-v8a", "libsovits.so"));
        }
        else if (Target.Platform == UnrealTargetPlatform.IOS)
        {
            // Static: iOS apps cannot load their own dylibs from outside a framework.
            PublicAdditionalLibraries.Add(Path.Combine(Lib, "libsovits.a"));
        }
    }
}

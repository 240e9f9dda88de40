#include "SovitsTTSComponent.h"

#include "Async/Async.h"
#include "Components/AudioComponent.h"
#include "Misc/Paths.h"
#include "Sound/SoundWaveProcedural.h"

USovitsTTSComponent::USovitsTTSComponent() { PrimaryComponentTick.bCanEverTick = true; }

static std::string Utf8(const FString &S) { return std::string(TCHAR_TO_UTF8(*S)); }

static FString Resolve(const FString &P) {
    return FPaths::IsRelative(P) ? FPaths::Combine(FPaths::ProjectContentDir(), P) : P;
}

bool USovitsTTSComponent::EnsureLoaded() {
    try {
        if (!Model) Model = std::make_shared<sovits::Model>(sovits::Model::from_dir(Utf8(Resolve(ModelDirectory))));
        if (!Voice) Voice = std::make_unique<sovits::Voice>(sovits::Voice::load(Utf8(Resolve(VoiceFile))));
        if (!Session) Session = std::make_unique<sovits::Session>(*Model);
        return true;
    } catch (const sovits::Error &E) {
        UE_LOG(LogTemp, Error, TEXT("sovits: %d: %s"), (int)E.status(), UTF8_TO_TCHAR(E.what()));
        return false;
    }
}

void USovitsTTSComponent::Speak(const FString &Text) {
    StopSpeaking();
    if (!EnsureLoaded()) return;
    Queue.Clear();
    Wave = NewObject<USoundWaveProcedural>(this);
    Wave->SetSampleRate(Model->sample_rate());
    Wave->NumChannels = 1;
    Wave->Duration = INDEFINITELY_LOOPING_DURATION;
    Wave->bLooping = false;
    if (!Audio) {
        Audio = NewObject<UAudioComponent>(GetOwner());
        Audio->RegisterComponent();
    }
    Audio->SetSound(Wave);
    Audio->Play();
    sovits::SynthParams P = sovits::default_synth_params();
    P.streaming_mode = StreamingMode;
    const std::string TextUtf8 = Utf8(Text), Lang = Utf8(Language);
    Speaking = true;
    Worker = Async(EAsyncExecution::Thread, [this, P, TextUtf8, Lang]() {
        try {
            Session->synthesize_stream(*Voice, TextUtf8, Lang, [this](const float *Pcm, size_t N, int) {
                Queue.Push(Pcm, N);
                return Speaking.load();
            }, P);
        } catch (const sovits::Error &E) {
            if (E.status() != SOVITS_STATUS_CANCELLED)
                UE_LOG(LogTemp, Error, TEXT("sovits: %d: %s"), (int)E.status(), UTF8_TO_TCHAR(E.what()));
        }
    });
}

void USovitsTTSComponent::StopSpeaking() {
    Speaking = false;
    if (Session) Session->cancel();
    if (Worker.IsValid()) Worker.Wait();
    if (Audio) Audio->Stop();
}

void USovitsTTSComponent::TickComponent(float DeltaTime, ELevelTick TickType, FActorComponentTickFunction *ThisTickFunction) {
    Super::TickComponent(DeltaTime, TickType, ThisTickFunction);
    if (!Wave) return;
    std::vector<uint8_t> Bytes;
    if (Queue.PopBytes(Bytes, 32000) > 0) Wave->QueueAudio(Bytes.data(), static_cast<int32>(Bytes.size()));
}

void USovitsTTSComponent::EndPlay(const EEndPlayReason::Type Reason) {
    StopSpeaking();
    Session.reset();
    Voice.reset();
    Super::EndPlay(Reason);
}

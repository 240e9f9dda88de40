// USovitsTTSComponent: speaks text in a cloned voice, streaming into a USoundWaveProcedural
// played by an audio component: playback starts with the first chunk (~0.64 s of speech)
// while the rest is made on a worker thread.
#pragma once

#include <atomic>
#include <memory>

#include "Components/ActorComponent.h"
#include "CoreMinimal.h"
#include "SovitsPcmQueue.h"
#include "sovits.hpp"

#include "SovitsTTSComponent.generated.h"

class UAudioComponent;
class USoundWaveProcedural;

UCLASS(ClassGroup = (Audio), meta = (BlueprintSpawnableComponent))
class SOVITSTTS_API USovitsTTSComponent : public UActorComponent {
    GENERATED_BODY()

  public:
    USovitsTTSComponent();

    // A folder laid out like GPT-SoVITS' pretrained_models/ (relative: under the project's Content/).
    UPROPERTY(EditAnywhere, BlueprintReadWrite, Category = "Sovits")
    FString ModelDirectory = TEXT("Sovits/pretrained_models");

    // A saved voice file (the synthesize CLI's --save-voice).
    UPROPERTY(EditAnywhere, BlueprintReadWrite, Category = "Sovits")
    FString VoiceFile = TEXT("Sovits/voice.voice");

    // all_zh, zh, en, all_ja, ja or auto.
    UPROPERTY(EditAnywhere, BlueprintReadWrite, Category = "Sovits")
    FString Language = TEXT("en");

    // 3: fixed token chunks (lowest latency); 2: cut at pauses; 0: whole sentences.
    UPROPERTY(EditAnywhere, BlueprintReadWrite, Category = "Sovits")
    int32 StreamingMode = 3;

    UFUNCTION(BlueprintCallable, Category = "Sovits")
    void Speak(const FString &Text);

    UFUNCTION(BlueprintCallable, Category = "Sovits")
    void StopSpeaking();

    virtual void TickComponent(float DeltaTime, ELevelTick TickType, FActorComponentTickFunction *ThisTickFunction) override;
    virtual void EndPlay(const EEndPlayReason::Type Reason) override;

  private:
    bool EnsureLoaded();

    std::shared_ptr<sovits::Model> Model;
    std::unique_ptr<sovits::Voice> Voice;
    std::unique_ptr<sovits::Session> Session;
    FSovitsPcmQueue Queue;
    TFuture<void> Worker;
    std::atomic<bool> Speaking{false};

    UPROPERTY()
    USoundWaveProcedural *Wave = nullptr;
    UPROPERTY()
    UAudioComponent *Audio = nullptr;
};

// SovitsPcmQueue: float chunks from the synthesis thread, 16-bit PCM out to the audio side
// (USoundWaveProcedural::QueueAudio takes int16 bytes). Engine-independent standard C++17, so it
// is compiled and tested outside Unreal (sovits-ffi/tests/cpp/unreal_queue_test.cpp).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <deque>
#include <mutex>
#include <vector>

class FSovitsPcmQueue {
  public:
    // Appends samples in [-1, 1] (clamped), converted to int16.
    void Push(const float *pcm, std::size_t n) {
        std::lock_guard<std::mutex> lock(mutex_);
        for (std::size_t i = 0; i < n; i++) {
            float s = std::max(-1.0f, std::min(1.0f, pcm[i]));
            samples_.push_back(static_cast<int16_t>(std::lround(s * 32767.0f)));
        }
    }

    // Moves up to max_samples queued samples into out as little-endian int16 bytes; returns
    // the number of samples moved.
    std::size_t PopBytes(std::vector<uint8_t> &out, std::size_t max_samples) {
        std::lock_guard<std::mutex> lock(mutex_);
        std::size_t n = std::min(max_samples, samples_.size());
        out.resize(n * 2);
        for (std::size_t i = 0; i < n; i++) {
            uint16_t v = static_cast<uint16_t>(samples_.front());
            samples_.pop_front();
            out[2 * i] = static_cast<uint8_t>(v & 0xff);
            out[2 * i + 1] = static_cast<uint8_t>(v >> 8);
        }
        return n;
    }

    std::size_t Size() const {
        std::lock_guard<std::mutex> lock(mutex_);
        return samples_.size();
    }

    void Clear() {
        std::lock_guard<std::mutex> lock(mutex_);
        samples_.clear();
    }

  private:
    mutable std::mutex mutex_;
    std::deque<int16_t> samples_;
};

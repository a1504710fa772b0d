// SPDX-License-Identifier: MIT
#pragma once

// AFTERWORK_TSAN: defined when this translation unit is built with ThreadSanitizer (GCC's
// -fsanitize=thread defines __SANITIZE_THREAD__; Clang answers __has_feature). Internal.

#if defined(__SANITIZE_THREAD__)
#define AFTERWORK_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define AFTERWORK_TSAN 1
#endif
#endif

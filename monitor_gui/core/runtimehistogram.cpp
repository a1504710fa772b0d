// SPDX-License-Identifier: MIT
#include "core/runtimehistogram.h"

#include <algorithm>
#include <bit>
#include <cmath>

namespace afterwork::monitor {

int RunTimeHistogram::bucketOf(qint64 us) noexcept
{
    if (us < SubBuckets)
        return int(std::max<qint64>(us, 0));
    const int octave = std::bit_width(quint64(us)) - 1; // >= 4
    const int sub = int((quint64(us) >> (octave - 4)) & (SubBuckets - 1));
    return std::min(SubBuckets + (octave - 4) * SubBuckets + sub, BucketCount - 1);
}

qint64 RunTimeHistogram::bucketLower(int bucket) noexcept
{
    if (bucket < SubBuckets)
        return bucket;
    const int octave = 4 + (bucket - SubBuckets) / SubBuckets;
    const int sub = (bucket - SubBuckets) % SubBuckets;
    return qint64(SubBuckets + sub) << (octave - 4);
}

qint64 RunTimeHistogram::bucketUpper(int bucket) noexcept
{
    if (bucket < SubBuckets)
        return bucket + 1;
    const int octave = 4 + (bucket - SubBuckets) / SubBuckets;
    const int sub = (bucket - SubBuckets) % SubBuckets;
    return qint64(SubBuckets + sub + 1) << (octave - 4);
}

void RunTimeHistogram::add(qint64 us)
{
    if (us < 0)
        return;
    ++m_buckets[size_t(bucketOf(us))];
    if (m_count == 0) {
        m_min = m_max = us;
    } else {
        m_min = std::min(m_min, us);
        m_max = std::max(m_max, us);
    }
    ++m_count;
    m_sum += double(us);
}

void RunTimeHistogram::clear()
{
    *this = RunTimeHistogram{};
}

qint64 RunTimeHistogram::percentile(double p) const
{
    if (m_count == 0)
        return -1;
    // The rank of the wanted value (nearest-rank method), 1-based.
    const qint64 rank = std::clamp<qint64>(qint64(std::ceil(std::clamp(p, 0.0, 1.0) * double(m_count))), 1, m_count);
    qint64 seen = 0;
    for (int bucket = 0; bucket < BucketCount; ++bucket) {
        seen += m_buckets[size_t(bucket)];
        if (seen >= rank) {
            // The bucket's middle, but never outside what was actually observed.
            const qint64 middle = (bucketLower(bucket) + bucketUpper(bucket) - 1) / 2;
            return std::clamp(middle, m_min, m_max);
        }
    }
    return m_max;
}

} // namespace afterwork::monitor

// SPDX-License-Identifier: MIT
#pragma once

#include <QtCore/QtGlobal>

#include <array>

namespace afterwork::monitor {

//! Run times (µs) in logarithmic buckets: bounded memory whatever the number of tasks, exact
//! count, min, max and mean, and percentiles within about 3% (16 buckets per power of two).
class RunTimeHistogram
{
public:
    static constexpr int SubBuckets = 16;
    static constexpr int Octaves = 40; //!< up to 2^44 µs, about 200 days
    static constexpr int BucketCount = SubBuckets + Octaves * SubBuckets;

    void add(qint64 us);
    void clear();

    qint64 count() const noexcept { return m_count; }
    qint64 min() const noexcept { return m_count ? m_min : -1; }
    qint64 max() const noexcept { return m_count ? m_max : -1; }
    qint64 mean() const noexcept { return m_count ? qint64(m_sum / double(m_count)) : -1; }
    //! The value below which a fraction \a p (0..1) of the run times fall; -1 when empty.
    qint64 percentile(double p) const;

    static int bucketOf(qint64 us) noexcept;
    static qint64 bucketLower(int bucket) noexcept;
    //! Exclusive.
    static qint64 bucketUpper(int bucket) noexcept;
    qint64 countIn(int bucket) const noexcept { return m_buckets[size_t(bucket)]; }

private:
    std::array<qint64, BucketCount> m_buckets{};
    qint64 m_count = 0;
    qint64 m_min = 0;
    qint64 m_max = 0;
    double m_sum = 0;
};

} // namespace afterwork::monitor

// SPDX-License-Identifier: MIT
#include "core/sourceset.h"

#include "core/monitorsession.h"

#include <afterwork/protocol/recording.h>

#include <QtCore/QElapsedTimer>
#include <QtCore/QSettings>

namespace afterwork::monitor {

using namespace Qt::StringLiterals;

SourceSet::SourceSet(MonitorSession *primary, QObject *parent) : QObject(parent), m_throttler(primary->options().flushInterval)
{
    Q_ASSERT(primary);
    m_entries.push_back(Entry{.spec = {}, .session = primary, .owned = nullptr});
    connect(&m_throttler, &BatchThrottler::triggered, this, &SourceSet::flushAll);
    flushTogether(primary);
}

SourceSet::~SourceSet()
{
    // The primary outlives the set: it flushes by itself again.
    primary()->setSharedThrottler(nullptr);
}

void SourceSet::flushTogether(MonitorSession *session)
{
    session->setSharedThrottler(&m_throttler);
    connect(session, &MonitorSession::flushed, this, [this] {
        // The round's own flushes are told once, at its end; any other flush at once.
        if (m_flushingOne)
            m_flushedAny = true;
        else
            Q_EMIT flushed();
    });
}

void SourceSet::flushAll()
{
    // A round still under way takes the sources it has not reached yet; the others wait for the
    // next (poked again at its end).
    if (m_nextToFlush >= 0)
        return;
    m_nextToFlush = 0;
    m_flushedAny = false;
    flushNext();
}

void SourceSet::flushNext()
{
    // Sources one after the other while the slice lasts, then the event loop gets its turn (input,
    // timers, painting) before the next: a round is one pass on a quiet machine, and never one
    // long block on a busy one. By index: a handler may add or remove sources.
    if (m_nextToFlush < 0)
        return; // no round under way
    QElapsedTimer slice;
    slice.start();
    while (m_nextToFlush < count()) {
        m_flushingOne = true;
        m_entries[size_t(m_nextToFlush++)].session->flushNow();
        m_flushingOne = false;
        if (m_nextToFlush < count() && slice.elapsed() >= qint64(m_flushSlice.count())) {
            QMetaObject::invokeMethod(this, &SourceSet::flushNext, Qt::QueuedConnection);
            return;
        }
    }
    m_nextToFlush = -1;
    if (m_flushedAny)
        Q_EMIT flushed();
    // A source the round passed over (sources removed under it) waits for the next round.
    for (const Entry &entry : m_entries) {
        if (entry.session->hasPendingLines())
            m_throttler.poke();
    }
}

MonitorSession *SourceSet::session(int index) const
{
    return index >= 0 && index < count() ? m_entries[size_t(index)].session : nullptr;
}

const SourceSpec &SourceSet::spec(int index) const
{
    Q_ASSERT(index >= 0 && index < count());
    return m_entries[size_t(index)].spec;
}

QString SourceSet::labelOf(const MonitorSession *session) const
{
    const int index = indexOf(session);
    return index >= 0 ? label(index) : QString();
}

int SourceSet::indexOf(const MonitorSession *session) const
{
    for (int i = 0; i < count(); ++i) {
        if (m_entries[size_t(i)].session == session)
            return i;
    }
    return -1;
}

int SourceSet::indexOf(const QString &label) const
{
    for (int i = 0; i < count(); ++i) {
        if (m_entries[size_t(i)].spec.label == label)
            return i;
    }
    return -1;
}

MonitorSession *SourceSet::addSource(const SourceSpec &spec, QString *error)
{
    if (spec.label.isEmpty() || spec.address.isEmpty()) {
        *error = u"a source needs a label and an address"_s;
        return nullptr;
    }
    if (!protocol::isValidSourceName(spec.label)) {
        *error = u"'%1' cannot label a source: a label is %2 (name it: LABEL=ADDRESS)"_s.arg(spec.label, protocol::sourceNameRule());
        return nullptr;
    }
    if (indexOf(spec.label) >= 0) {
        *error = u"another source is already labelled '%1'"_s.arg(spec.label);
        return nullptr;
    }
    auto session = std::make_unique<MonitorSession>(primary()->options());
    const bool remote = client::isRemoteConnectArgument(spec.address);
    if (spec.recordingSource) {
        session->openRecording(spec.address, spec.recordingSpeed, spec.recordingSource);
    } else if (!session->watchSocket(spec.address, remote ? spec.remote : client::LiveSourceOptions{})) {
        *error = session->lastError();
        return nullptr;
    }
    MonitorSession *added = session.get();
    flushTogether(added);
    m_entries.push_back(Entry{.spec = spec, .session = added, .owned = std::move(session)});
    Q_EMIT sourceAdded(count() - 1);
    return added;
}

bool SourceSet::removeSource(int index)
{
    if (index <= 0 || index >= count())
        return false;
    // Stopped first: what it still had queued lands (and is announced) while it is one of the
    // set, not between the announcements of its removal.
    m_entries[size_t(index)].session->closeSource();
    Q_EMIT sourceAboutToBeRemoved(index);
    // Out of the list before it is destroyed: whoever looks during its destruction sees the rest.
    std::unique_ptr<MonitorSession> gone = std::move(m_entries[size_t(index)].owned);
    m_entries.erase(m_entries.begin() + index);
    if (m_nextToFlush > index)
        --m_nextToFlush; // a round under way still reaches the sources after it

    gone.reset();
    Q_EMIT sourceRemoved(index);
    return true;
}

QString SourceSet::uniqueLabel(const QString &wanted, int except) const
{
    QString label = wanted;
    for (int n = 2; ; ++n) {
        const int holder = indexOf(label);
        if (holder < 0 || holder == except)
            return label;
        label = u"%1 (%2)"_s.arg(wanted).arg(n);
    }
}

void SourceSet::setPrimarySpec(SourceSpec spec)
{
    spec.label = uniqueLabel(spec.label.isEmpty() ? spec.address : spec.label, 0);
    const bool relabelled = spec.label != m_entries.front().spec.label;
    m_entries.front().spec = std::move(spec);
    if (relabelled)
        Q_EMIT labelChanged(0);
}

QList<SourceSpec> SourceSet::specs() const
{
    QList<SourceSpec> out;
    out.reserve(count());
    for (const Entry &entry : m_entries)
        out.append(entry.spec);
    return out;
}

void writeSourceList(QSettings &settings, const QList<SourceSpec> &specs)
{
    settings.beginWriteArray(u"sources"_s, int(specs.size()));
    for (int i = 0; i < specs.size(); ++i) {
        const SourceSpec &spec = specs.at(i);
        settings.setArrayIndex(i);
        settings.setValue(u"label"_s, spec.label);
        settings.setValue(u"address"_s, spec.address);
        // Where the token is, never the token.
        settings.setValue(u"tokenFile"_s, spec.remote.tokenFile);
        settings.setValue(u"caFile"_s, spec.remote.caFile);
        settings.setValue(u"pin"_s, spec.remote.pin);
        settings.setValue(u"insecure"_s, spec.remote.insecure);
    }
    settings.endArray();
}

QList<SourceSpec> readSourceList(QSettings &settings)
{
    QList<SourceSpec> specs;
    const int size = settings.beginReadArray(u"sources"_s);
    for (int i = 0; i < size; ++i) {
        settings.setArrayIndex(i);
        SourceSpec spec;
        spec.label = settings.value(u"label"_s).toString();
        spec.address = settings.value(u"address"_s).toString();
        spec.remote.tokenFile = settings.value(u"tokenFile"_s).toString();
        spec.remote.caFile = settings.value(u"caFile"_s).toString();
        spec.remote.pin = settings.value(u"pin"_s).toString();
        spec.remote.insecure = settings.value(u"insecure"_s).toBool();
        if (!spec.address.isEmpty())
            specs.append(spec.label.isEmpty() ? SourceSpec{spec.address, spec.address, spec.remote} : spec);
    }
    settings.endArray();
    return specs;
}

} // namespace afterwork::monitor

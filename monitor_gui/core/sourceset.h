// SPDX-License-Identifier: MIT
#pragma once

#include "core/batchthrottler.h"

#include <afterwork/client/livesource.h>

#include <QtCore/QList>
#include <QtCore/QObject>
#include <QtCore/QString>

#include <chrono>
#include <memory>
#include <optional>
#include <vector>

QT_BEGIN_NAMESPACE
class QSettings;
QT_END_NAMESPACE

namespace afterwork::monitor {

class MonitorSession;

//! How one source of the dashboard is named and reached. Saved in the settings as it is: paths
//! and a fingerprint, never a token (the token stays in its file).
struct SourceSpec
{
    QString label;                   //!< unique among the sources; tables and `source:` use it
    QString address;                 //!< a socket name or path, or `tls://` / `tcp://HOST:PORT`
    client::LiveSourceOptions remote{}; //!< for a remote address; ignored for a local socket
    //! Set for one source of a recording that holds several (`afterwork record` with several
    //! `--connect`): its name there, and `address` is the recording's path. Never saved.
    std::optional<QString> recordingSource{};
    double recordingSpeed = 0; //!< with recordingSource: as FileSourceOptions::speed
};

//! The sources the dashboard watches at once, each a MonitorSession of its own with a unique
//! label. The first, the primary, is the connection bar's and is not owned: it always exists, so
//! that watching one source stays what it was. The others are created (with the primary's
//! SessionOptions) and owned here. Task ids are the sources' own, so a task is (source, id).
//!
//! The sources flush together: one throttler (the primary's flushInterval) for all of them, so
//! the views of every source are told once per interval (flushed()), not once per source. A
//! round flushes the sources one after the other for up to a slice of time (flushSlice()), then
//! lets the event loop run before going on: one pass on a quiet machine, never one long block on
//! a busy one.
class SourceSet final : public QObject
{
    Q_OBJECT
public:
    //! \a primary: the first source (not owned), unlabelled until setPrimarySpec().
    explicit SourceSet(MonitorSession *primary, QObject *parent = nullptr);
    ~SourceSet() override;

    int count() const noexcept { return int(m_entries.size()); } //!< the primary included
    MonitorSession *session(int index) const;                     //!< nullptr if out of range
    MonitorSession *primary() const noexcept { return session(0); } //!< the connection bar's
    const SourceSpec &spec(int index) const;                      //!< \a index in range
    QString label(int index) const { return spec(index).label; }  //!< \a index in range
    //! The label of \a session's source ("" if it is not one of these).
    QString labelOf(const MonitorSession *session) const;
    int indexOf(const MonitorSession *session) const; //!< -1 if not one of these
    int indexOf(const QString &label) const;          //!< -1 if no source has this label

    //! Watches \a spec as one more source. nullptr with \a error set when its label is taken or
    //! not a valid source name (protocol::isValidSourceName()), or the address cannot be watched
    //! (a missing token file, ...): nothing is added then.
    MonitorSession *addSource(const SourceSpec &spec, QString *error);
    //! Stops watching source \a index and forgets it (with its tasks). The primary cannot be
    //! removed: false for it and for an index out of range.
    bool removeSource(int index);
    //! The primary now watches \a spec.address (or shows a recording, \a spec.remote unused); its
    //! label becomes \a spec.label, made unique with a " (2)"-like suffix if another source has it.
    void setPrimarySpec(SourceSpec spec);

    //! Every source's spec, in order (the primary first).
    QList<SourceSpec> specs() const;

    //! How long a round of flushes goes on before it lets the event loop run between two sources
    //! (10 ms; 0: after every source).
    std::chrono::milliseconds flushSlice() const noexcept { return m_flushSlice; }
    void setFlushSlice(std::chrono::milliseconds slice) { m_flushSlice = slice; } //!< see flushSlice()

Q_SIGNALS:
    //! Source \a index was added (it is the last).
    void sourceAdded(int index);
    //! Source \a index is about to go; its session still exists.
    void sourceAboutToBeRemoved(int index);
    //! Source \a index went; indexes after it moved down by one.
    void sourceRemoved(int index);
    //! A source's label changed (the primary's, with its address).
    void labelChanged(int index);
    //! Lines reached the stores: once at the end of a round of flushes (after each source's
    //! MonitorSession::flushed()), or after a source flushed on its own (MonitorSession::flushNow()).
    void flushed();

private:
    struct Entry
    {
        SourceSpec spec;
        MonitorSession *session = nullptr;
        std::unique_ptr<MonitorSession> owned; // null for the primary
    };
    QString uniqueLabel(const QString &wanted, int except) const;
    //! \a session flushes with the others, and says so.
    void flushTogether(MonitorSession *session);
    //! The shared throttler fired: a round of flushes begins.
    void flushAll();
    void flushNext();

    std::vector<Entry> m_entries;
    BatchThrottler m_throttler; // shared by every source's session
    std::chrono::milliseconds m_flushSlice{10};
    int m_nextToFlush = -1;     // the source the round flushes next; -1: no round under way
    bool m_flushingOne = false; // the round is flushing a source: told at the round's end
    bool m_flushedAny = false;  // a source flushed in this round
};

//! Writes \a specs to \a settings as the list of sources restored at the next start.
void writeSourceList(QSettings &settings, const QList<SourceSpec> &specs);
//! The list of sources writeSourceList() saved (empty if none).
QList<SourceSpec> readSourceList(QSettings &settings);

} // namespace afterwork::monitor

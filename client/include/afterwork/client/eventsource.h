// SPDX-License-Identifier: MIT
#pragma once

#include <afterwork/client/streamevent.h>
#include <afterwork/protocol/command.h>

#include <QtCore/QList>
#include <QtCore/QObject>
#include <QtCore/QTimer>

#include <chrono>

#include <memory>
#include <optional>

namespace afterwork::client {

namespace detail {
class LineSplitter;
}

//! Where stream lines come from: a live socket (LocalSocketSource), a remote publisher
//! (RemoteSource) or a recording (FileSource).
//! Both split bytes into lines and parse them the same way and emit the same signals, so whatever
//! consumes a source (TaskStore, the CLI, the dashboard) cannot tell a recording from a live run.
//!
//! Lines are delivered in batches (linesReceived), one per chunk of input, never one signal per
//! line. Checks made on the way, each reported in order between batches:
//! - `seq` must be the previous line's + 1 (+ `missed` for a `gap`); a hello with seq 0 starts a
//!   new connection's numbering. Anything else is reported by sequenceGap(), on top of the `gap`
//!   lines the publisher sends itself.
//! - a hello with a different `instance` than the previous hello means the source restarted:
//!   instanceChanged().
class EventSource : public QObject
{
    Q_OBJECT
public:
    //! Where a source is; stateChanged() reports each change.
    enum class State : quint8 {
        Idle,         //!< not started, or stopped
        Connecting,   //!< connecting (a file: opening)
        Connected,    //!< reading lines
        Reconnecting, //!< waiting to try again (a live source that reconnects)
        Finished,     //!< no more lines will come; finished() was emitted
    };
    Q_ENUM(State)
    //! Why connecting or reading failed; errorOccurred() carries it, with a message.
    enum class Error : quint8 {
        NotFound,          //!< no source listens on that name / no such file / no such host
        AccessDenied,      //!< the socket or file is not ours to read; a remote publisher refused the token
        ConnectionRefused, //!< a socket file exists but nothing accepts on it (a dead source)
        ReadFailed,        //!< reading failed mid-way
        Other,             //!< anything else; the message says what
        //! The TLS handshake failed: the server's certificate is not trusted (expired, signed by
        //! another CA, for another host name, not the pinned one), or the server does not speak TLS.
        TlsFailed,
    };
    Q_ENUM(Error)

    //! The default cap on one line: a snapshot of many thousand tasks must fit.
    static constexpr qsizetype DefaultMaxLineBytes = 64 * 1024 * 1024;

    ~EventSource() override;

    //! Starts reading (connecting). Safe to call again after stop().
    virtual void start() = 0;
    //! Stops reading for good (no reconnect) without reporting a disconnection: stopping to watch
    //! is not the source going away.
    virtual void stop() = 0;
    //! "socket 'NAME'" or "file 'PATH'", for messages.
    virtual QString description() const = 0;

    //! Whether sendCommand() can send now: a live source with an open connection. A recording
    //! never can. (Whether the publisher will act on a command is its hello's HelloEvent::control.)
    virtual bool canSendCommands() const { return false; }
    //! Sends \a command on the current connection (docs/protocol.md, "Commands"); false if
    //! canSendCommands() is false. Its reply arrives later as a `reply` line among the others
    //! (a ReplyEvent with the command's `ref`). A source that never sends reads the stream
    //! exactly as before.
    virtual bool sendCommand(const protocol::Command &command);

    State state() const noexcept { return m_state; } //!< where the source is now
    //! The latest hello's source, if any.
    const std::optional<SourceInfo> &sourceInfo() const noexcept { return m_source; }
    //! Whether the current (or last) connection said bye.
    bool byeSeen() const noexcept { return m_byeSeen; }
    //! Lines delivered so far, over every connection, malformed ones included (blank lines are
    //! skipped and not counted).
    qint64 lineCount() const noexcept { return m_lineCount; }
    //! Of those, the lines that did not parse (each delivered with its ParseError).
    qint64 malformedLineCount() const noexcept { return m_malformedCount; }

    //! The longest line accepted, in bytes (DefaultMaxLineBytes unless set): a longer one is
    //! delivered as a malformed line holding only its first bytes, and reading goes on.
    //! @{
    void setMaxLineBytes(qsizetype bytes);
    qsizetype maxLineBytes() const noexcept { return m_maxLineBytes; }
    //! @}

Q_SIGNALS:
    //! The source moved to \a state.
    void stateChanged(afterwork::client::EventSource::State state);
    //! A connection is established (a file: opened). Lines follow.
    void connected();
    //! The connection ended; \a byeSeen says whether the source said bye first (if not, its live
    //! tasks are lost). A file ends like a connection.
    void disconnected(bool byeSeen);
    //! The next connection attempt is in \a delayMs milliseconds (the \a attempt-th in a row).
    void reconnecting(int attempt, int delayMs);
    //! Connecting or reading failed. A live source keeps retrying if it reconnects.
    void errorOccurred(afterwork::client::EventSource::Error error, const QString &message);
    //! A batch of lines, in order: valid events and malformed lines (with their ParseError).
    void linesReceived(const QList<afterwork::client::StreamLine> &lines);
    //! `seq` jumped without a `gap` accounting for it: \a received instead of \a expected.
    void sequenceGap(quint64 expected, quint64 received, qint64 lineNumber);
    //! A hello from a different run of the source: every earlier task is gone.
    void instanceChanged(const afterwork::client::SourceInfo &previous, const afterwork::client::SourceInfo &current);
    //! No more lines will come (end of file, or a live source that stopped retrying).
    void finished();

protected:
    //! For subclasses: a source in state Idle, with the default line limit.
    explicit EventSource(QObject *parent = nullptr);

    //! For subclasses: moves to \a state and emits stateChanged() if it differs from the current one.
    void setState(State state);
    //! A new connection (or file): line numbers and seq checks start over.
    void beginConnection();
    //! Bytes read from the connection; complete lines are parsed and delivered in one batch.
    void ingest(QByteArrayView bytes);
    //! Splits and parses without delivering: for sources that pace their lines.
    QList<StreamLine> parseBytes(QByteArrayView bytes);
    //! The connection ended: a trailing line without newline is still delivered, then
    //! disconnected(byeSeen) is emitted.
    void endConnection();
    //! The trailing partial line, parsed (empty if none).
    QList<StreamLine> takeRemainder();
    //! Delivers parsed lines: seq and instance checks, then linesReceived in as few batches as the
    //! checks allow.
    void deliver(QList<StreamLine> lines);

    //! How a live source retries: its options' `reconnect`, `initialBackoff` and `maxBackoff`.
    struct RetryPolicy
    {
        bool reconnect = true;                          //!< keep trying; off: finish instead
        std::chrono::milliseconds initialBackoff{100};  //!< the first delay, doubled per failure in a row
        std::chrono::milliseconds maxBackoff{2000};     //!< the longest delay
    };
    //! For live sources, after a failed attempt or a lost connection. Without \a policy.reconnect:
    //! Finished and finished(). Otherwise Reconnecting, reconnecting() and retryNow() once the
    //! backoff has passed: initialBackoff doubled for each failure in a row, capped at maxBackoff;
    //! \a slowly (a refusal that will not change by itself): maxBackoff at once. A hello resets
    //! the count, as does start() through resetRetries().
    void retryOrFinish(const RetryPolicy &policy, bool slowly = false);
    //! A new start: the next failure waits initialBackoff again.
    void resetRetries() { m_failuresInARow = 0; }
    //! Drops a retry that is waiting (stop()).
    void cancelRetry() { m_retryTimer.stop(); }
    //! What a retry does; live sources connect again. Called by retryOrFinish()'s timer.
    virtual void retryNow() {}

private:
    StreamLine makeLine(QByteArray bytes);

    std::unique_ptr<detail::LineSplitter> m_splitter; // Owning.
    State m_state = State::Idle;
    std::optional<SourceInfo> m_source;
    std::optional<quint64> m_previousSeq;
    bool m_byeSeen = false;
    qint64 m_lineNumber = 0;
    qint64 m_lineCount = 0;
    qint64 m_malformedCount = 0;
    qsizetype m_maxLineBytes = DefaultMaxLineBytes;
    QTimer m_retryTimer;        // single-shot; calls retryNow()
    int m_failuresInARow = 0;   // failed attempts since the last hello (or start)
};

} // namespace afterwork::client

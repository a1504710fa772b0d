// SPDX-License-Identifier: MIT
#pragma once

#include <QtCore/QCommandLineParser>
#include <QtCore/QFile>
#include <QtCore/QObject>
#include <QtCore/QString>
#include <QtCore/QStringList>

#include <algorithm>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

#include <afterwork/client/eventsource.h>

namespace afterwork::cli {

//! Exit statuses shared by every subcommand (docs/cli.md).
enum ExitCode : int {
    ExitOk = 0,
    //! The thing asked about is not fine: `check` found violations; `tail`/`record` found no
    //! source, or it vanished without bye.
    ExitFailure = 1,
    //! The request itself could not be carried out: bad usage or filter, unreadable or
    //! unwritable file, a socket name in use.
    ExitUsage = 2,
};

//! Buffered standard output/error. Writes never throw; a closed pipe (e.g. `| head`) just stops
//! output.
class Output
{
public:
    static Output &out();
    static Output &err();

    void write(QByteArrayView bytes);
    void write(const QString &text) { write(QByteArrayView(text.toUtf8())); }
    void write(const QByteArray &bytes) { write(QByteArrayView(bytes)); }
    void write(const char *text) { write(QByteArrayView(text)); }
    void line(const QString &text);
    void flush();
    bool isTerminal() const noexcept { return m_terminal; }

private:
    explicit Output(int fd);
    QFile m_file;
    bool m_terminal = false;
};

//! "afterwork <command>: message" on stderr.
void printError(const QString &command, const QString &message);

//! Whether to colour standard output: a terminal, no --no-color, and NO_COLOR unset or empty.
bool useColour(bool noColourOption);

//! ANSI styles (empty strings when colour is off).
struct Style
{
    bool enabled = false;
    QString operator()(const char *code, const QString &text) const;
};

//! Calls \a handler (on the event loop) on the first SIGINT or SIGTERM; a second one exits at
//! once with status 130. Installs once per process.
void onTerminationSignal(std::function<void()> handler);

//! Parses \a arguments (argv without the subcommand) for a subcommand; prints help or errors.
//! Returns -1 to go on, otherwise the exit status to return right away.
int parseSubcommand(QCommandLineParser &parser, const QString &command, const QStringList &arguments,
                    const QString &description);

//! `--connect NAME`: the socket name of the source that `tail` and `record` read (default:
//! DefaultSocketName), or `tls://HOST:PORT` (docs/cli.md, "Remote sources"); given more than
//! once, `tail` and `record` read every source it names, `LABEL=ADDRESS` naming one.
QCommandLineOption connectOption();

//! The options that name a source: `--connect`, and for a remote one `--token-file`, `--ca-file`,
//! `--pin` and `--insecure`. Every command that connects takes all of them.
struct SourceOptions
{
    QCommandLineOption connect = connectOption();                          //!< --connect
    QCommandLineOption tokenFile{QStringLiteral("token-file"),
                                 QStringLiteral("With tls:// (or tcp://): the file holding the publisher's token (mode 0600)."),
                                 QStringLiteral("FILE")};                  //!< --token-file
    QCommandLineOption caFile{QStringLiteral("ca-file"),
                              QStringLiteral("With tls://: trust the CA certificates in FILE (PEM) instead of the system's."),
                              QStringLiteral("FILE")};                     //!< --ca-file
    QCommandLineOption pin{QStringLiteral("pin"),
                           QStringLiteral("With tls://: trust only the server certificate with this SHA-256 fingerprint."),
                           QStringLiteral("sha256:HEX")};                  //!< --pin
    QCommandLineOption insecure{QStringLiteral("insecure"),
                                QStringLiteral("Allow tcp://HOST:PORT: plain TCP, unencrypted, to a loopback address only.")}; //!< --insecure

    //! Adds them all to \a parser.
    void addTo(QCommandLineParser &parser) const { parser.addOptions({connect, tokenFile, caFile, pin, insecure}); }
};

//! One source a command reads, and what names it in messages and output.
struct LabelledSource
{
    QString label;   //!< LABEL of `--connect LABEL=ADDRESS`; otherwise the address itself
    QString address; //!< the socket name, or `tls://HOST:PORT` / `tcp://HOST:PORT`
    std::unique_ptr<client::EventSource> source; //!< not started
};

//! Every source the `--connect` options in \a parser name, in order (client::createLiveSource()).
//! Each source takes the remote options that apply to it: a local socket none, `tcp://` the token
//! file, `tls://` the token file, the CA file and the pin (the same ones for every `tls://`
//! source). An option that applies to no source at all is a usage error, as with one source.
//! `--connect LABEL=ADDRESS` labels a source (client::parseConnectSpec()). Labels must be valid
//! source names (protocol::isValidSourceName()) and unique when there are several sources, or
//! when one is given explicitly. Nothing, after printing the usage error for \a command, if one
//! is bad.
std::optional<std::vector<LabelledSource>> openSources(const QCommandLineParser &parser, const SourceOptions &options,
                                                       const QString &command, bool reconnect);

//! The one source of a command that connects to one at a time; nullptr after printing the usage
//! error for \a command (a bad source, or more than one `--connect`).
std::unique_ptr<client::EventSource> openSource(const QCommandLineParser &parser, const SourceOptions &options,
                                                const QString &command, bool reconnect);

//! Whether \a error from the source at \a address is one that waiting and retrying will not fix:
//! an untrusted certificate, or a remote publisher refusing the token.
bool isPermanentFailure(client::EventSource::Error error, const QString &address);

//! Counts the sources of a command that follows several (`tail`, `record`) as they end, and keeps
//! the worst exit status among them: ExitUsage over ExitFailure over ExitOk (docs/cli.md).
class SourceGroup
{
public:
    explicit SourceGroup(qsizetype sources) : m_running(sources) {}
    //! A source ended with the exit status \a code; true once every source has.
    bool ended(int code)
    {
        m_worst = std::max(m_worst, code);
        return --m_running == 0;
    }
    int worst() const noexcept { return m_worst; } //!< the worst status of the sources ended so far

private:
    qsizetype m_running;
    int m_worst = ExitOk;
};

//! How a command that follows a source (`tail`, `record`) reports the source's connection
//! errors (docs/cli.md): each goes to stderr, labelled, except while waiting.
class ConnectErrors
{
public:
    //! For \a command, a source labelled \a prefix (labelPrefix()) at \a address; \a wait: --wait.
    ConnectErrors(QString command, QString prefix, QString address, bool wait)
        : m_command(std::move(command)), m_prefix(std::move(prefix)), m_address(std::move(address)), m_wait(wait)
    {
    }

    //! Reports \a error (\a message). True when it ends the source for good with ExitUsage (a
    //! permanent failure, isPermanentFailure()), after printing it. Otherwise without --wait it
    //! prints it, with a hint to start the application when the source \a everConnected is false,
    //! and the source's finished() ends it; with --wait the first error of a wait is passed to
    //! \a noteWaiting ("MESSAGE; waiting for it to appear"), the others are not reported.
    bool report(client::EventSource::Error error, const QString &message, bool everConnected,
                const std::function<void(const QString &)> &noteWaiting);
    //! The connection ended: the next wait is noted again.
    void connectionEnded() { m_waitingNoted = false; }

private:
    QString m_command;
    QString m_prefix;
    QString m_address;
    bool m_wait;
    bool m_waitingNoted = false;
};

//! The label of a source in lines that name it, `[LABEL] `; empty for an empty \a label (the
//! one source of a command that reads one).
QString labelPrefix(const QString &label);

//! Declares the FILE argument of the commands that read a recording.
void addRecordingArgument(QCommandLineParser &parser);
//! The one recording a command that reads one at a time was given; nothing, after printing the
//! usage error, for none or more than one.
std::optional<QString> recordingArgument(const QCommandLineParser &parser, const QString &command);
//! Whether a command that takes no positional argument was given none; prints the usage error
//! if it was.
bool noPositionalArguments(const QCommandLineParser &parser, const QString &command);

//! A positive number of seconds (fractions allowed) from an option value, or -1 if invalid.
double parseSeconds(const QString &text);

} // namespace afterwork::cli

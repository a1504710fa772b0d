// SPDX-License-Identifier: MIT
#include "clicommon.h"

#include "commands.h"

#include "signalwatcher.h" // apps/common

#include <afterwork/client/eventsource.h>
#include <afterwork/client/livesource.h>

#include <QtCore/QCoreApplication>

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <unistd.h>

namespace afterwork::cli {

Output::Output(int fd) : m_terminal(::isatty(fd) == 1)
{
    // Unbuffered QFile over the descriptor: each write() is one system call, flush() a no-op.
    if (!m_file.open(fd, QIODevice::WriteOnly | QIODevice::Unbuffered, QFileDevice::DontCloseHandle))
        std::fprintf(stderr, "afterwork: cannot open file descriptor %d\n", fd);
}

Output &Output::out()
{
    static Output instance(STDOUT_FILENO);
    return instance;
}

Output &Output::err()
{
    static Output instance(STDERR_FILENO);
    return instance;
}

void Output::write(QByteArrayView bytes)
{
    if (m_file.isOpen() && !bytes.isEmpty())
        m_file.write(bytes.data(), bytes.size());
}

void Output::line(const QString &text)
{
    QByteArray bytes = text.toUtf8();
    bytes.append('\n');
    write(QByteArrayView(bytes));
}

void Output::flush()
{
    if (m_file.isOpen())
        m_file.flush();
}

void printError(const QString &command, const QString &message)
{
    Output::err().line(command.isEmpty() ? QStringLiteral("afterwork: %1").arg(message)
                                         : QStringLiteral("afterwork %1: %2").arg(command, message));
}

bool useColour(bool noColourOption)
{
    if (noColourOption)
        return false;
    // https://no-color.org: present and not empty disables colour.
    if (!qEnvironmentVariableIsEmpty("NO_COLOR"))
        return false;
    return Output::out().isTerminal();
}

QString Style::operator()(const char *code, const QString &text) const
{
    if (!enabled)
        return text;
    return QStringLiteral("\x1b[%1m%2\x1b[0m").arg(QLatin1StringView(code), text);
}

void onTerminationSignal(std::function<void()> handler)
{
    static bool installed = false;
    if (installed)
        return;
    // Parented to the application: it lives, and keeps its handlers, as long as the process.
    auto *watcher = new apps::SignalWatcher(QCoreApplication::instance());
    if (!watcher->isValid()) {
        delete watcher;
        return;
    }
    installed = true;
    watcher->exitOnSecondSignal(130);
    QObject::connect(watcher, &apps::SignalWatcher::received, watcher, [handler = std::move(handler)] { handler(); },
                     Qt::SingleShotConnection);
    // A closed stdout pipe must not kill us mid-recording; writes just fail.
    std::signal(SIGPIPE, SIG_IGN);
}

int parseSubcommand(QCommandLineParser &parser, const QString &command, const QStringList &arguments,
                    const QString &description)
{
    parser.setApplicationDescription(description);
    const QCommandLineOption help({QStringLiteral("h"), QStringLiteral("help")}, QStringLiteral("Show this help."));
    parser.addOption(help);
    QStringList argv = arguments;
    argv.prepend(QStringLiteral("afterwork %1").arg(command));
    if (!parser.parse(argv)) {
        printError(command, parser.errorText());
        printError(command, QStringLiteral("see 'afterwork %1 --help'").arg(command));
        return ExitUsage;
    }
    if (parser.isSet(help)) {
        // The usage line names the program only; put the subcommand after it.
        QString text = parser.helpText();
        const QString prefix = QStringLiteral("Usage: ");
        const qsizetype programEnd = text.indexOf(u' ', prefix.size());
        if (text.startsWith(prefix) && programEnd > 0)
            text = prefix + QStringLiteral("afterwork ") + command + text.mid(programEnd);
        Output::out().write(text);
        return ExitOk;
    }
    return -1;
}

QCommandLineOption connectOption()
{
    return QCommandLineOption(QStringLiteral("connect"),
                              QStringLiteral("The source: a socket name (default: %1), or tls://HOST:PORT; LABEL=ADDRESS names it.").arg(QLatin1StringView(DefaultSocketName)),
                              QStringLiteral("NAME"), QString::fromLatin1(DefaultSocketName));
}

namespace {

//! The remote options that apply to the source at \a address, among \a addresses: a local socket
//! takes none, `tcp://` no CA file nor pin. An option that applies to none of \a addresses is
//! left in, so that createLiveSource() refuses it as it does for a single source.
client::LiveSourceOptions optionsFor(const QString &address, const QStringList &addresses, client::LiveSourceOptions options)
{
    const auto isTls = [](const QString &a) { return a.startsWith(QLatin1StringView("tls://")); };
    const bool anyRemote = std::any_of(addresses.cbegin(), addresses.cend(), client::isRemoteConnectArgument);
    const bool anyTls = std::any_of(addresses.cbegin(), addresses.cend(), isTls);
    if (!client::isRemoteConnectArgument(address) && anyRemote)
        options.tokenFile.clear();
    if (!isTls(address) && anyTls) {
        options.caFile.clear();
        options.pin.clear();
    }
    return options;
}

} // namespace

std::optional<std::vector<LabelledSource>> openSources(const QCommandLineParser &parser, const SourceOptions &options,
                                                       const QString &command, bool reconnect)
{
    const QStringList values = parser.values(options.connect);
    const client::LiveSourceOptions live{.tokenFile = parser.value(options.tokenFile),
                                         .caFile = parser.value(options.caFile),
                                         .pin = parser.value(options.pin),
                                         .insecure = parser.isSet(options.insecure),
                                         .reconnect = reconnect};
    QString error;
    const std::optional<QList<client::ConnectSpec>> specs = client::parseConnectSpecs(values, &error);
    if (!specs) {
        printError(command, error);
        return std::nullopt;
    }
    QStringList addresses;
    for (const client::ConnectSpec &spec : *specs)
        addresses.append(spec.address);
    std::vector<LabelledSource> sources;
    for (const client::ConnectSpec &spec : *specs) {
        std::unique_ptr<client::EventSource> source = client::createLiveSource(spec.address, optionsFor(spec.address, addresses, live), &error);
        if (!source) {
            printError(command, specs->size() > 1 ? labelPrefix(spec.label) + error : error);
            return std::nullopt;
        }
        sources.push_back(LabelledSource{spec.label, spec.address, std::move(source)});
    }
    return sources;
}

std::unique_ptr<client::EventSource> openSource(const QCommandLineParser &parser, const SourceOptions &options,
                                                const QString &command, bool reconnect)
{
    if (parser.values(options.connect).size() > 1) {
        printError(command, QStringLiteral("one --connect at a time: '%1' acts on one source").arg(command));
        return nullptr;
    }
    std::optional<std::vector<LabelledSource>> sources = openSources(parser, options, command, reconnect);
    if (!sources)
        return nullptr;
    return std::move(sources->front().source);
}

bool isPermanentFailure(client::EventSource::Error error, const QString &address)
{
    return error == client::EventSource::Error::TlsFailed
        || (error == client::EventSource::Error::AccessDenied && client::isRemoteConnectArgument(address));
}

bool ConnectErrors::report(client::EventSource::Error error, const QString &message, bool everConnected,
                           const std::function<void(const QString &)> &noteWaiting)
{
    if (isPermanentFailure(error, m_address)) {
        printError(m_command, m_prefix + message);
        return true;
    }
    if (!m_wait) {
        printError(m_command, m_prefix + message);
        if (!everConnected)
            printError(m_command, m_prefix + QStringLiteral("start the application (or use --wait to wait for it)"));
    } else if (!std::exchange(m_waitingNoted, true)) {
        noteWaiting(QStringLiteral("%1; waiting for it to appear").arg(message));
    }
    return false;
}

QString labelPrefix(const QString &label)
{
    return label.isEmpty() ? QString() : QStringLiteral("[%1] ").arg(label);
}

void addRecordingArgument(QCommandLineParser &parser)
{
    parser.addPositionalArgument(QStringLiteral("FILE"), QStringLiteral("A recording made by 'afterwork record'."));
}

std::optional<QString> recordingArgument(const QCommandLineParser &parser, const QString &command)
{
    const QStringList positional = parser.positionalArguments();
    if (positional.size() == 1)
        return positional.constFirst();
    printError(command, positional.isEmpty() ? QStringLiteral("which recording? (afterwork %1 FILE)").arg(command)
                                             : QStringLiteral("one recording at a time"));
    return std::nullopt;
}

bool noPositionalArguments(const QCommandLineParser &parser, const QString &command)
{
    if (parser.positionalArguments().isEmpty())
        return true;
    printError(command, QStringLiteral("unexpected argument '%1'").arg(parser.positionalArguments().constFirst()));
    return false;
}

double parseSeconds(const QString &text)
{
    bool ok = false;
    const double value = text.toDouble(&ok);
    if (!ok || !(value > 0) || value > 365.0 * 24 * 3600)
        return -1;
    return value;
}

} // namespace afterwork::cli

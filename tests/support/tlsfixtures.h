// SPDX-License-Identifier: MIT
#pragma once

// Certificates and token files for the remote transport's tests, made at test time with Debian's
// `openssl` binary in a temporary directory: a test CA, a server certificate it signed for
// localhost and 127.0.0.1, an expired one it signed, and a second, unrelated CA.

#include <QtCore/QDir>
#include <QtCore/QFile>
#include <QtCore/QProcess>
#include <QtCore/QStandardPaths>
#include <QtCore/QString>
#include <QtCore/QStringList>
#include <QtCore/QTemporaryDir>

namespace afterwork::testing {

class TlsFixtures
{
public:
    //! Makes everything; false with \a error set when openssl is missing or fails.
    bool create(QString *error)
    {
        if (!m_dir.isValid()) {
            *error = QStringLiteral("no temporary directory");
            return false;
        }
        m_openssl = QStandardPaths::findExecutable(QStringLiteral("openssl"));
        if (m_openssl.isEmpty()) {
            *error = QStringLiteral("the openssl binary is not installed (Debian package openssl)");
            return false;
        }
        const QString ext = path("server-ext.cnf");
        writeFile(ext, "subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\n"
                       "keyUsage=digitalSignature\nextendedKeyUsage=serverAuth\n");
        writeFile(path("ca.cnf"), "[ ca ]\ndefault_ca = testca\n[ testca ]\ndir = .\ndatabase = index.txt\n"
                                  "new_certs_dir = .\nserial = serial.txt\ndefault_md = sha256\n"
                                  "policy = policy_any\nunique_subject = no\n[ policy_any ]\ncommonName = supplied\n");
        writeFile(path("index.txt"), "");
        writeFile(path("serial.txt"), "1000\n");
        const QStringList ec = {QStringLiteral("-newkey"), QStringLiteral("ec"), QStringLiteral("-pkeyopt"),
                                QStringLiteral("ec_paramgen_curve:prime256v1"), QStringLiteral("-nodes")};
        return run({QStringLiteral("req"), QStringLiteral("-x509")}, ec,
                   {QStringLiteral("-keyout"), QStringLiteral("ca.key"), QStringLiteral("-out"), QStringLiteral("ca.crt"),
                    QStringLiteral("-days"), QStringLiteral("2"), QStringLiteral("-subj"), QStringLiteral("/CN=Afterwork Test CA")},
                   error)
            && run({QStringLiteral("req"), QStringLiteral("-x509")}, ec,
                   {QStringLiteral("-keyout"), QStringLiteral("other-ca.key"), QStringLiteral("-out"),
                    QStringLiteral("other-ca.crt"), QStringLiteral("-days"), QStringLiteral("2"), QStringLiteral("-subj"),
                    QStringLiteral("/CN=Unrelated Test CA")},
                   error)
            && run({QStringLiteral("req"), QStringLiteral("-new")}, ec,
                   {QStringLiteral("-keyout"), QStringLiteral("server.key"), QStringLiteral("-out"), QStringLiteral("server.csr"),
                    QStringLiteral("-subj"), QStringLiteral("/CN=localhost")},
                   error)
            && run({QStringLiteral("x509"), QStringLiteral("-req")}, {},
                   {QStringLiteral("-in"), QStringLiteral("server.csr"), QStringLiteral("-CA"), QStringLiteral("ca.crt"),
                    QStringLiteral("-CAkey"), QStringLiteral("ca.key"), QStringLiteral("-CAcreateserial"), QStringLiteral("-out"),
                    QStringLiteral("server.crt"), QStringLiteral("-days"), QStringLiteral("2"), QStringLiteral("-extfile"), ext},
                   error)
            && run({QStringLiteral("req"), QStringLiteral("-new")}, ec,
                   {QStringLiteral("-keyout"), QStringLiteral("expired.key"), QStringLiteral("-out"), QStringLiteral("expired.csr"),
                    QStringLiteral("-subj"), QStringLiteral("/CN=localhost")},
                   error)
            && run({QStringLiteral("ca"), QStringLiteral("-batch")}, {},
                   {QStringLiteral("-config"), QStringLiteral("ca.cnf"), QStringLiteral("-cert"), QStringLiteral("ca.crt"),
                    QStringLiteral("-keyfile"), QStringLiteral("ca.key"), QStringLiteral("-in"), QStringLiteral("expired.csr"),
                    QStringLiteral("-out"), QStringLiteral("expired.crt"), QStringLiteral("-startdate"),
                    QStringLiteral("20200101000000Z"), QStringLiteral("-enddate"), QStringLiteral("20200102000000Z"),
                    QStringLiteral("-extfile"), ext, QStringLiteral("-notext")},
                   error);
    }

    QString path(const char *name) const { return m_dir.filePath(QString::fromLatin1(name)); }
    QString caCertificate() const { return path("ca.crt"); }
    QString otherCaCertificate() const { return path("other-ca.crt"); }
    QString serverCertificate() const { return path("server.crt"); }
    QString serverKey() const { return path("server.key"); }
    QString expiredCertificate() const { return path("expired.crt"); }
    QString expiredKey() const { return path("expired.key"); }
    QString openssl() const { return m_openssl; }

    //! Writes \a token to a new file with \a permissions (0600 unless said) and returns its path.
    QString writeToken(const QString &name, const QByteArray &token,
                       QFileDevice::Permissions permissions = QFileDevice::ReadOwner | QFileDevice::WriteOwner) const
    {
        const QString file = m_dir.filePath(name);
        writeFile(file, token + '\n');
        QFile::setPermissions(file, permissions);
        return file;
    }

private:
    static void writeFile(const QString &file, const QByteArray &contents)
    {
        QFile out(file);
        if (out.open(QIODevice::WriteOnly | QIODevice::Truncate))
            out.write(contents);
    }

    bool run(const QStringList &command, const QStringList &keyOptions, const QStringList &rest, QString *error) const
    {
        QProcess process;
        process.setWorkingDirectory(m_dir.path());
        process.setProcessChannelMode(QProcess::MergedChannels);
        process.start(m_openssl, command + keyOptions + rest);
        if (!process.waitForFinished(30000) || process.exitStatus() != QProcess::NormalExit || process.exitCode() != 0) {
            *error = QStringLiteral("openssl %1 failed: %2").arg(command.join(u' '), QString::fromLocal8Bit(process.readAll()));
            return false;
        }
        return true;
    }

    QTemporaryDir m_dir;
    QString m_openssl;
};

} // namespace afterwork::testing

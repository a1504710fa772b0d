// SPDX-License-Identifier: MIT
#pragma once

#include <afterwork/client/livesource.h>

#include <QtWidgets/QDialog>

QT_BEGIN_NAMESPACE
class QCheckBox;
class QLineEdit;
QT_END_NAMESPACE

namespace afterwork::monitor {

//! File > Remote connection…: how to reach a remote publisher (`tls://HOST:PORT` in the connection
//! bar): the token file, the CA file or a pinned fingerprint, and whether plain TCP on loopback is
//! allowed. It holds paths and a fingerprint, never a token: the token stays in its file.
class RemoteDialog final : public QDialog
{
    Q_OBJECT
public:
    explicit RemoteDialog(const client::LiveSourceOptions &options, QWidget *parent = nullptr);

    //! What the fields say (reconnect as given to the constructor).
    client::LiveSourceOptions options() const;

    QLineEdit *tokenFileEdit() const noexcept { return m_tokenFile; } //!< for tests
    QLineEdit *caFileEdit() const noexcept { return m_caFile; }       //!< for tests
    QLineEdit *pinEdit() const noexcept { return m_pin; }             //!< for tests
    QCheckBox *insecureBox() const noexcept { return m_insecure; }    //!< for tests

private:
    client::LiveSourceOptions m_initial;
    QLineEdit *m_tokenFile = nullptr;
    QLineEdit *m_caFile = nullptr;
    QLineEdit *m_pin = nullptr;
    QCheckBox *m_insecure = nullptr;
};

} // namespace afterwork::monitor

// SPDX-License-Identifier: MIT
#include "widgets/remotedialog.h"

#include <QtWidgets/QCheckBox>
#include <QtWidgets/QDialogButtonBox>
#include <QtWidgets/QFileDialog>
#include <QtWidgets/QFormLayout>
#include <QtWidgets/QHBoxLayout>
#include <QtWidgets/QLabel>
#include <QtWidgets/QLineEdit>
#include <QtWidgets/QToolButton>
#include <QtWidgets/QVBoxLayout>

namespace afterwork::monitor {

using namespace Qt::StringLiterals;

namespace {

//! A path field with a "…" button that picks a file.
QWidget *fileField(QLineEdit *edit, const QString &caption, QWidget *parent)
{
    auto *row = new QWidget(parent);
    auto *layout = new QHBoxLayout(row);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(edit, 1);
    auto *browse = new QToolButton(row);
    browse->setText(u"…"_s);
    browse->setToolTip(caption);
    QObject::connect(browse, &QToolButton::clicked, row, [edit, caption, parent] {
        const QString path = QFileDialog::getOpenFileName(parent, caption, edit->text());
        if (!path.isEmpty())
            edit->setText(path);
    });
    layout->addWidget(browse);
    return row;
}

} // namespace

RemoteDialog::RemoteDialog(const client::LiveSourceOptions &options, QWidget *parent)
    : QDialog(parent), m_initial(options)
{
    setWindowTitle(u"Remote connection"_s);
    auto *layout = new QVBoxLayout(this);
    auto *intro = new QLabel(u"For a remote publisher, type tls://HOST:PORT in the connection bar. "
                             "The token is read from its file when connecting and never stored here."_s,
                             this);
    intro->setWordWrap(true);
    layout->addWidget(intro);

    auto *form = new QFormLayout;
    m_tokenFile = new QLineEdit(options.tokenFile, this);
    m_tokenFile->setPlaceholderText(u"a file readable by you only (chmod 600)"_s);
    form->addRow(u"&Token file:"_s, fileField(m_tokenFile, u"The publisher's token file"_s, this));
    m_caFile = new QLineEdit(options.caFile, this);
    m_caFile->setPlaceholderText(u"empty: the system's certificate authorities"_s);
    form->addRow(u"&CA file:"_s, fileField(m_caFile, u"CA certificates (PEM)"_s, this));
    m_pin = new QLineEdit(options.pin, this);
    m_pin->setPlaceholderText(u"sha256:HEX (optional: trust this certificate only)"_s);
    form->addRow(u"&Pin:"_s, m_pin);
    m_insecure = new QCheckBox(u"Allow tcp:// (plain TCP, loopback only)"_s, this);
    m_insecure->setChecked(options.insecure);
    form->addRow(QString(), m_insecure);
    layout->addLayout(form);

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    layout->addWidget(buttons);
}

client::LiveSourceOptions RemoteDialog::options() const
{
    client::LiveSourceOptions options = m_initial;
    options.tokenFile = m_tokenFile->text().trimmed();
    options.caFile = m_caFile->text().trimmed();
    options.pin = m_pin->text().trimmed();
    options.insecure = m_insecure->isChecked();
    return options;
}

} // namespace afterwork::monitor

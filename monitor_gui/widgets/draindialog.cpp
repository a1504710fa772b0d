// SPDX-License-Identifier: MIT
#include "widgets/draindialog.h"

#include "core/formatting.h"

#include <QtWidgets/QDialogButtonBox>
#include <QtWidgets/QDoubleSpinBox>
#include <QtWidgets/QFormLayout>
#include <QtWidgets/QLabel>
#include <QtWidgets/QPushButton>
#include <QtWidgets/QVBoxLayout>

#include <cmath>

namespace afterwork::monitor {

using namespace Qt::StringLiterals;

namespace {

//! The longest deadline offered; the CLI's `drain --deadline` allows a day, a dialog an hour.
constexpr double maxDeadlineSeconds = 3600;

} // namespace

DrainDialog::DrainDialog(const QString &sourceLabel, qsizetype liveTasks, std::chrono::milliseconds deadline, QWidget *parent)
    : QDialog(parent)
{
    setObjectName(u"drainDialog"_s);
    setWindowTitle(u"Drain server"_s);
    auto *layout = new QVBoxLayout(this);
    m_summary = new QLabel(this);
    m_summary->setObjectName(u"drainSummary"_s);
    m_summary->setWordWrap(true);
    m_summary->setText(u"Shut down %1 gracefully? It stops taking new tasks and cancels its unshielded ones; of its %2, "
                       u"shielded and running ones may finish until the deadline, and what is left then is abandoned."_s
                           .arg(sourceLabel, formatTasks(liveTasks, u"live")));
    layout->addWidget(m_summary);

    auto *form = new QFormLayout;
    m_deadline = new QDoubleSpinBox(this);
    m_deadline->setObjectName(u"drainDeadline"_s);
    m_deadline->setRange(0, maxDeadlineSeconds);
    m_deadline->setDecimals(1);
    m_deadline->setSingleStep(1);
    m_deadline->setSuffix(u" s"_s);
    m_deadline->setToolTip(u"How long the shutdown may wait for running and shielded tasks. The application may cap it "
                           u"(afterwork-demo: at its --shutdown-deadline)."_s);
    form->addRow(u"&Deadline:"_s, m_deadline);
    layout->addLayout(form);
    setDeadline(deadline);

    auto *buttons = new QDialogButtonBox(this);
    m_drain = buttons->addButton(u"Drain server"_s, QDialogButtonBox::AcceptRole);
    m_drain->setObjectName(u"confirmButton"_s);
    m_keep = buttons->addButton(u"Keep running"_s, QDialogButtonBox::RejectRole);
    m_keep->setObjectName(u"rejectButton"_s);
    // Neither is a default button: Enter (typing the deadline ends with it) neither drains nor
    // closes the dialog unnoticed; draining takes a click, Escape keeps the server running.
    m_drain->setAutoDefault(false);
    m_keep->setAutoDefault(false);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    layout->addWidget(buttons);
}

std::chrono::milliseconds DrainDialog::deadline() const
{
    return std::chrono::milliseconds(std::llround(m_deadline->value() * 1000));
}

void DrainDialog::setDeadline(std::chrono::milliseconds deadline)
{
    m_deadline->setValue(double(deadline.count()) / 1000);
}

QString DrainDialog::summary() const
{
    return m_summary->text();
}

} // namespace afterwork::monitor

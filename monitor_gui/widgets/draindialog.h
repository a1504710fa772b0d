// SPDX-License-Identifier: MIT
#pragma once

#include <QtWidgets/QDialog>

#include <chrono>

QT_BEGIN_NAMESPACE
class QDialogButtonBox;
class QDoubleSpinBox;
class QLabel;
class QPushButton;
QT_END_NAMESPACE

namespace afterwork::monitor {

//! "Drain server": asks for the shutdown's deadline and confirms, naming the source and how many
//! of its tasks are live.
class DrainDialog final : public QDialog
{
    Q_OBJECT
public:
    //! For the source \a sourceLabel (its application's name) with \a liveTasks live tasks;
    //! \a deadline is offered first.
    DrainDialog(const QString &sourceLabel, qsizetype liveTasks, std::chrono::milliseconds deadline, QWidget *parent = nullptr);

    //! The deadline chosen, in whole milliseconds.
    std::chrono::milliseconds deadline() const;
    void setDeadline(std::chrono::milliseconds deadline);

    QString summary() const;                                       //!< the sentence naming the count
    QDoubleSpinBox *deadlineBox() const noexcept { return m_deadline; } //!< for tests
    QPushButton *drainButton() const noexcept { return m_drain; }       //!< accepts
    QPushButton *keepButton() const noexcept { return m_keep; }         //!< rejects

private:
    QLabel *m_summary = nullptr;
    QDoubleSpinBox *m_deadline = nullptr;
    QPushButton *m_drain = nullptr;
    QPushButton *m_keep = nullptr;
};

} // namespace afterwork::monitor

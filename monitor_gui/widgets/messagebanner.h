// SPDX-License-Identifier: MIT
#pragma once

#include <QtWidgets/QFrame>

QT_BEGIN_NAMESPACE
class QLabel;
class QToolButton;
QT_END_NAMESPACE

namespace afterwork::monitor {

//! A dismissable message above the views (never a modal box: the dashboard keeps updating, and
//! headless runs never block): a malformed recording, a restarted source, a failed save.
class MessageBanner final : public QFrame
{
    Q_OBJECT
public:
    enum class Level : quint8 { Info, Warning, Error };

    explicit MessageBanner(QWidget *parent = nullptr);

    void showMessage(Level level, const QString &text);
    QString text() const;
    Level level() const noexcept { return m_level; }

private:
    void applyColours();

    QLabel *m_text = nullptr;
    QToolButton *m_close = nullptr;
    Level m_level = Level::Info;
};

} // namespace afterwork::monitor

// SPDX-License-Identifier: MIT
#pragma once

#include <QtWidgets/QWidget>

QT_BEGIN_NAMESPACE
class QComboBox;
QT_END_NAMESPACE

namespace afterwork::monitor {

class MonitorSession;
class SourceSet;

//! Which watched source a view about one source shows: "Source" and a box of the labels, hidden
//! while there is only one source. The first source at first; when the source shown is removed,
//! the first again (announced before that source is gone).
class SourcePicker final : public QWidget
{
    Q_OBJECT
public:
    explicit SourcePicker(const SourceSet *sources, QWidget *parent = nullptr);

    //! The source shown.
    MonitorSession *session() const noexcept { return m_session; }
    //! Shows source \a index of the set (nothing happens for an index out of range).
    void pick(int index);
    QComboBox *box() const noexcept { return m_box; } //!< for tests

Q_SIGNALS:
    //! Another source is to be shown.
    void sessionChanged(afterwork::monitor::MonitorSession *session);

private:
    //! The labels, the choice, and whether to show the box at all.
    void updateBox();

    const SourceSet *m_sources; // Not owning.
    MonitorSession *m_session;  // Not owning.
    QComboBox *m_box = nullptr;
};

} // namespace afterwork::monitor

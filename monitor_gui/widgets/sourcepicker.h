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
//!
//! A view that can show every source at once offers "All sources" too, first in the box. That
//! choice is kept while there is one source (which is then simply the source shown), and applies
//! as soon as there are several.
class SourcePicker final : public QWidget
{
    Q_OBJECT
public:
    //! Whether the box offers "All sources" besides each source.
    enum class Offer : quint8 { OneSource, AllSourcesToo };

    explicit SourcePicker(const SourceSet *sources, QWidget *parent = nullptr, Offer offer = Offer::OneSource);

    //! The source shown; nullptr while every source is (showsAll()).
    MonitorSession *session() const;
    //! Shows source \a index of the set (nothing happens for an index out of range).
    void pick(int index);
    //! Shows every source, where "All sources" is offered (nothing happens otherwise).
    void pickAll();
    //! "All sources" is the choice, whether or not there are several sources now.
    bool allPicked() const noexcept { return m_all; }
    //! Every source is shown: "All sources" is the choice and there are several.
    bool showsAll() const;
    QComboBox *box() const noexcept { return m_box; } //!< for tests

Q_SIGNALS:
    //! Another source is to be shown; nullptr: every source is (showsAll()).
    void sessionChanged(afterwork::monitor::MonitorSession *session);

private:
    //! The labels, the choice, and whether to show the box at all.
    void updateBox();
    //! Announces what is shown now, if that changed.
    void announce();

    const SourceSet *m_sources; // Not owning.
    MonitorSession *m_session;  // Not owning. The one source chosen (or last chosen, under "All").
    MonitorSession *m_announced; // Not owning, only compared: session() when last announced.
    Offer m_offer;
    bool m_all = false;
    QComboBox *m_box = nullptr;
};

} // namespace afterwork::monitor

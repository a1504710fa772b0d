// SPDX-License-Identifier: MIT
#include "widgets/sourcepicker.h"

#include "core/sourceset.h"

#include <QtWidgets/QComboBox>
#include <QtWidgets/QHBoxLayout>
#include <QtWidgets/QLabel>

namespace afterwork::monitor {

using namespace Qt::StringLiterals;

SourcePicker::SourcePicker(const SourceSet *sources, QWidget *parent)
    : QWidget(parent), m_sources(sources), m_session(sources->primary())
{
    auto *layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(new QLabel(u"Source"_s, this));
    m_box = new QComboBox(this);
    m_box->setObjectName(u"sourcePicker"_s);
    m_box->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    layout->addWidget(m_box);
    connect(m_box, &QComboBox::activated, this, &SourcePicker::pick);
    // A source that goes takes its data along: the views leave it while it still exists.
    connect(sources, &SourceSet::sourceAboutToBeRemoved, this, [this](int index) {
        if (m_sources->session(index) == m_session)
            pick(0);
    });
    connect(sources, &SourceSet::sourceAdded, this, &SourcePicker::updateBox);
    connect(sources, &SourceSet::sourceRemoved, this, &SourcePicker::updateBox);
    connect(sources, &SourceSet::labelChanged, this, &SourcePicker::updateBox);
    updateBox();
}

void SourcePicker::pick(int index)
{
    MonitorSession *session = m_sources->session(index);
    if (!session)
        return;
    const bool changed = session != m_session;
    m_session = session;
    updateBox();
    if (changed)
        Q_EMIT sessionChanged(session);
}

void SourcePicker::updateBox()
{
    // Filled anew each time: a handful of items, and activated() is only for the user's choices.
    m_box->clear();
    for (int i = 0; i < m_sources->count(); ++i)
        m_box->addItem(m_sources->label(i));
    m_box->setCurrentIndex(m_sources->indexOf(m_session));
    setVisible(m_sources->count() > 1);
}

} // namespace afterwork::monitor

// SPDX-License-Identifier: MIT
#include "widgets/sourcepicker.h"

#include "core/sourceset.h"

#include <QtWidgets/QComboBox>
#include <QtWidgets/QHBoxLayout>
#include <QtWidgets/QLabel>

namespace afterwork::monitor {

using namespace Qt::StringLiterals;

namespace {
constexpr int AllSourcesItem = -1; //!< the "All sources" item's data; a source's is its index
} // namespace

SourcePicker::SourcePicker(const SourceSet *sources, QWidget *parent, Offer offer)
    : QWidget(parent), m_sources(sources), m_session(sources->primary()), m_announced(m_session), m_offer(offer)
{
    auto *layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(new QLabel(u"Source"_s, this));
    m_box = new QComboBox(this);
    m_box->setObjectName(u"sourcePicker"_s);
    m_box->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    layout->addWidget(m_box);
    connect(m_box, &QComboBox::activated, this, [this](int item) {
        const int index = m_box->itemData(item).toInt();
        if (index == AllSourcesItem)
            pickAll();
        else
            pick(index);
    });
    // A source that goes takes its data along: the views leave it while it still exists.
    connect(sources, &SourceSet::sourceAboutToBeRemoved, this, [this](int index) {
        if (m_sources->session(index) != m_session)
            return;
        if (m_all)
            m_session = m_sources->primary(); // not shown alone now; the first, should it be
        else
            pick(0);
    });
    // A second source makes "All sources" several; the last but one going makes it one.
    const auto changed = [this] {
        updateBox();
        announce();
    };
    connect(sources, &SourceSet::sourceAdded, this, changed);
    connect(sources, &SourceSet::sourceRemoved, this, changed);
    connect(sources, &SourceSet::labelChanged, this, &SourcePicker::updateBox);
    updateBox();
}

MonitorSession *SourcePicker::session() const
{
    return showsAll() ? nullptr : m_session;
}

bool SourcePicker::showsAll() const
{
    return m_all && m_sources->count() > 1;
}

void SourcePicker::pick(int index)
{
    MonitorSession *session = m_sources->session(index);
    if (!session)
        return;
    m_session = session;
    m_all = false;
    updateBox();
    announce();
}

void SourcePicker::pickAll()
{
    if (m_offer != Offer::AllSourcesToo)
        return;
    m_all = true;
    updateBox();
    announce();
}

void SourcePicker::announce()
{
    MonitorSession *shown = session();
    if (shown == m_announced)
        return;
    m_announced = shown;
    Q_EMIT sessionChanged(shown);
}

void SourcePicker::updateBox()
{
    // Filled anew each time: a handful of items, and activated() is only for the user's choices.
    m_box->clear();
    const bool several = m_sources->count() > 1;
    if (m_offer == Offer::AllSourcesToo && several)
        m_box->addItem(u"All sources"_s, AllSourcesItem);
    for (int i = 0; i < m_sources->count(); ++i)
        m_box->addItem(m_sources->label(i), i);
    m_box->setCurrentIndex(m_box->findData(showsAll() ? AllSourcesItem : m_sources->indexOf(m_session)));
    setVisible(several);
}

} // namespace afterwork::monitor

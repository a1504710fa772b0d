// SPDX-License-Identifier: MIT
#include "widgets/connectionbar.h"

#include "core/formatting.h"
#include "widgets/phasestyle.h"

#include <QtGui/QPainter>
#include <QtWidgets/QComboBox>
#include <QtWidgets/QHBoxLayout>
#include <QtWidgets/QLabel>
#include <QtWidgets/QLineEdit>
#include <QtWidgets/QPushButton>
#include <QtWidgets/QToolButton>

namespace afterwork::monitor {

using namespace Qt::StringLiterals;

namespace {

QPixmap dot(ConnectionStatus::Level level, bool dark, int size)
{
    Phase phase = Phase::Cancelled;
    switch (level) {
    case ConnectionStatus::Level::Good:
        phase = Phase::Succeeded;
        break;
    case ConnectionStatus::Level::Waiting:
        phase = Phase::Retrying;
        break;
    case ConnectionStatus::Level::Bad:
        phase = Phase::Failed;
        break;
    case ConnectionStatus::Level::Idle:
        break;
    }
    QPixmap pixmap(size, size);
    pixmap.fill(Qt::transparent);
    QPainter painter(&pixmap);
    painter.setRenderHint(QPainter::Antialiasing);
    painter.setPen(Qt::NoPen);
    painter.setBrush(phasestyle::color(phase, dark));
    painter.drawEllipse(QRectF(1, 1, size - 2, size - 2));
    return pixmap;
}

} // namespace

ConnectionBar::ConnectionBar(QWidget *parent) : QWidget(parent)
{
    auto *layout = new QHBoxLayout(this);
    layout->setContentsMargins(8, 6, 8, 2);
    layout->addWidget(new QLabel(u"Source"_s, this));
    m_socket = new QComboBox(this);
    m_socket->setObjectName(u"socketBox"_s);
    m_socket->setEditable(true);
    m_socket->setInsertPolicy(QComboBox::NoInsert);
    m_socket->setMinimumContentsLength(22);
    m_socket->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    m_socket->setToolTip(u"A socket name (in the temporary directory) or path. The list shows the Afterwork sources found on this machine."_s);
    layout->addWidget(m_socket);
    m_rescan = new QToolButton(this);
    m_rescan->setText(u"⟳"_s);
    m_rescan->setToolTip(u"Look for Afterwork sources on this machine again"_s);
    layout->addWidget(m_rescan);
    m_connect = new QPushButton(u"Connect"_s, this);
    layout->addWidget(m_connect);
    layout->addSpacing(12);
    m_dot = new QLabel(this);
    layout->addWidget(m_dot);
    m_state = new QLabel(this);
    m_state->setObjectName(u"connectionState"_s);
    QFont bold = m_state->font();
    bold.setBold(true);
    m_state->setFont(bold);
    layout->addWidget(m_state);
    m_details = new QLabel(this);
    m_details->setObjectName(u"connectionDetails"_s);
    m_details->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_details->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred); // cut rather than widen the window
    layout->addWidget(m_details, 1);

    auto requestConnect = [this] {
        const QString name = socketName();
        if (!name.isEmpty())
            Q_EMIT connectRequested(name);
    };
    connect(m_connect, &QPushButton::clicked, this, requestConnect);
    connect(m_socket->lineEdit(), &QLineEdit::returnPressed, this, requestConnect);
    connect(m_socket, &QComboBox::activated, this, [this, requestConnect](int index) {
        // Picking a found source fills in its name (the item text also names the app).
        const QString name = m_socket->itemData(index).toString();
        if (!name.isEmpty())
            m_socket->setEditText(name);
        requestConnect();
    });
    connect(m_rescan, &QToolButton::clicked, this, &ConnectionBar::rescan);
    connect(&m_discovery, &SocketDiscovery::finished, this, &ConnectionBar::onDiscovered);
    setStatus(ConnectionStatus{});
}

void ConnectionBar::setSocketName(const QString &name)
{
    m_socket->setEditText(name);
}

QString ConnectionBar::socketName() const
{
    return m_socket->currentText().trimmed();
}

void ConnectionBar::setStatus(const ConnectionStatus &status)
{
    m_level = status.level;
    const int size = fontMetrics().height() - 4;
    m_dot->setPixmap(dot(status.level, phasestyle::isDark(palette()), size));
    m_state->setText(status.state);
    m_details->setText(status.details);
}

QString ConnectionBar::stateText() const
{
    return m_state->text();
}

QString ConnectionBar::detailsText() const
{
    return m_details->text();
}

void ConnectionBar::rescan()
{
    m_rescan->setEnabled(false);
    m_discovery.scan();
}

void ConnectionBar::onDiscovered(const QList<DiscoveredSource> &sources)
{
    m_rescan->setEnabled(true);
    const QString current = socketName();
    m_socket->blockSignals(true);
    m_socket->clear();
    for (const DiscoveredSource &source : sources) {
        m_socket->addItem(u"%1 — %2 (pid %3)"_s.arg(source.name, source.app.isEmpty() ? u"?"_s : source.app).arg(source.pid), source.name);
        m_socket->setItemData(m_socket->count() - 1, u"instance %1, started %2"_s.arg(source.instance, formatDateTime(source.startedUs)),
                              Qt::ToolTipRole);
    }
    if (sources.isEmpty())
        m_socket->setPlaceholderText(u"no Afterwork source found"_s);
    m_socket->setEditText(current);
    m_socket->blockSignals(false);
}

} // namespace afterwork::monitor

// SPDX-License-Identifier: MIT
#include "widgets/messagebanner.h"

#include "widgets/phasestyle.h"

#include <QtWidgets/QHBoxLayout>
#include <QtWidgets/QLabel>
#include <QtWidgets/QToolButton>

namespace afterwork::monitor {

using namespace Qt::StringLiterals;

MessageBanner::MessageBanner(QWidget *parent) : QFrame(parent)
{
    setObjectName(u"messageBanner"_s);
    setFrameShape(QFrame::StyledPanel);
    setAutoFillBackground(true);
    auto *layout = new QHBoxLayout(this);
    layout->setContentsMargins(10, 6, 6, 6);
    m_text = new QLabel(this);
    m_text->setWordWrap(true);
    m_text->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(m_text, 1);
    m_close = new QToolButton(this);
    m_close->setText(u"✕"_s);
    m_close->setAutoRaise(true);
    m_close->setToolTip(u"Dismiss"_s);
    layout->addWidget(m_close, 0, Qt::AlignTop);
    connect(m_close, &QToolButton::clicked, this, &QWidget::hide);
    hide();
}

void MessageBanner::showMessage(Level level, const QString &text)
{
    m_level = level;
    m_text->setText(text);
    applyColours();
    show();
}

QString MessageBanner::text() const
{
    return m_text->text();
}

void MessageBanner::applyColours()
{
    const bool dark = phasestyle::isDark(palette());
    Phase phase = Phase::Started;
    if (m_level == Level::Warning)
        phase = Phase::Retrying;
    else if (m_level == Level::Error)
        phase = Phase::Failed;
    QColor background = phasestyle::color(phase, dark);
    background.setAlpha(dark ? 70 : 45);
    QPalette colours = palette();
    // Blend over the window colour so that the text colour of the theme stays readable.
    const QColor window = palette().color(QPalette::Window);
    const qreal a = background.alphaF();
    colours.setColor(QPalette::Window, QColor::fromRgbF(window.redF() * (1 - a) + background.redF() * a,
                                                        window.greenF() * (1 - a) + background.greenF() * a,
                                                        window.blueF() * (1 - a) + background.blueF() * a));
    setPalette(colours);
}

} // namespace afterwork::monitor

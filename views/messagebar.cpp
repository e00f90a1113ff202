#include "messagebar.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QStyle>
#include <QTimer>
#include <QToolButton>

MessageBar::MessageBar(QWidget* parent)
    : QWidget(parent)
    , m_text(new QLabel(this))
    , m_close(new QToolButton(this))
    , m_hide(new QTimer(this))
{
    setAutoFillBackground(true);
    m_text->setWordWrap(true);
    m_text->setTextFormat(Qt::PlainText);
    m_text->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_close->setAutoRaise(true);
    m_close->setIcon(style()->standardIcon(QStyle::SP_TitleBarCloseButton));
    m_close->setToolTip(tr("Close"));
    m_hide->setSingleShot(true);
    m_hide->setInterval(goodNewsShown);

    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(8, 3, 3, 3);
    layout->addWidget(m_text, 1);
    layout->addWidget(m_close);
    connect(m_close, &QToolButton::clicked, this, &QWidget::hide);
    connect(m_hide, &QTimer::timeout, this, &QWidget::hide);
    hide();
}

QString MessageBar::text() const
{
    return m_text->text();
}

void MessageBar::show(const QString& text, bool error)
{
    m_error = error;
    m_text->setText(text);
    QPalette colours = palette();
    colours.setColor(QPalette::Window, error ? QColor(0xf8, 0xd7, 0xda) : QColor(0xd4, 0xed, 0xda));
    colours.setColor(QPalette::WindowText, error ? QColor(0x72, 0x1c, 0x24) : QColor(0x15, 0x57, 0x24));
    setPalette(colours);
    m_text->setPalette(colours);
    if (error)
        m_hide->stop();
    else
        m_hide->start();
    QWidget::show();
}

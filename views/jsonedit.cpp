#include "jsonedit.h"

#include <QLabel>
#include <QPlainTextEdit>
#include <QTextBlock>
#include <QVBoxLayout>

JsonEdit::JsonEdit(QWidget* parent)
    : QWidget(parent)
    , m_edit(new QPlainTextEdit(this))
    , m_error(new QLabel(this))
{
    QFont mono(QStringLiteral("monospace"));
    mono.setStyleHint(QFont::TypeWriter);
    m_edit->setFont(mono);
    m_edit->setTabChangesFocus(true);
    m_edit->setLineWrapMode(QPlainTextEdit::NoWrap);
    m_error->setWordWrap(true);
    m_error->setTextInteractionFlags(Qt::TextSelectableByMouse);
    QPalette palette = m_error->palette();
    palette.setColor(QPalette::WindowText, QColor(0xb0, 0x20, 0x20));
    m_error->setPalette(palette);

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins({});
    layout->setSpacing(2);
    layout->addWidget(m_edit);
    layout->addWidget(m_error);
    connect(m_edit, &QPlainTextEdit::textChanged, this, &JsonEdit::check);
    check();
}

void JsonEdit::setEmptyIsNull(bool allowed)
{
    m_emptyIsNull = allowed;
    check();
}

void JsonEdit::setText(const QString& text)
{
    m_edit->setPlainText(text);
}

QString JsonEdit::text() const
{
    return m_edit->toPlainText();
}

QString JsonEdit::error() const
{
    return m_value ? QString() : m_error->text();
}

void JsonEdit::check()
{
    const bool wasValid = m_value.has_value();
    const QString text = m_edit->toPlainText();
    m_edit->setExtraSelections({});
    if (text.trimmed().isEmpty()) {
        if (m_emptyIsNull)
            m_value = iso::Value();
        else
            m_value.reset();
        m_error->setText(m_emptyIsNull ? QString() : tr("Type a JSON value."));
    } else {
        const QByteArray utf8 = text.toUtf8();
        auto parsed = iso::Value::from_json(std::string_view(utf8.constData(), static_cast<std::size_t>(utf8.size())));
        if (parsed) {
            m_value = std::move(*parsed);
            m_error->clear();
        } else {
            m_value.reset();
            // The parser counts bytes; the editor counts characters.
            const auto byte = static_cast<qsizetype>(std::min<std::size_t>(parsed.error().position, utf8.size()));
            const int position = static_cast<int>(QString::fromUtf8(utf8.left(byte)).size());
            const QTextBlock block = m_edit->document()->findBlock(position);
            m_error->setText(tr("Line %1, column %2: %3")
                                 .arg(block.blockNumber() + 1)
                                 .arg(position - block.position() + 1)
                                 .arg(QString::fromStdString(parsed.error().reason)));
            markError(position);
        }
    }
    m_error->setVisible(!m_error->text().isEmpty());
    if (wasValid != m_value.has_value())
        emit validityChanged(m_value.has_value());
}

void JsonEdit::markError(int position)
{
    QTextEdit::ExtraSelection mark;
    mark.cursor = QTextCursor(m_edit->document());
    mark.cursor.setPosition(position);
    // Past the end there is no character to underline: take the last one.
    if (mark.cursor.atEnd() && position > 0)
        mark.cursor.setPosition(position - 1);
    mark.cursor.movePosition(QTextCursor::NextCharacter, QTextCursor::KeepAnchor);
    mark.format.setUnderlineStyle(QTextCharFormat::WaveUnderline);
    mark.format.setUnderlineColor(Qt::red);
    mark.format.setBackground(QColor(255, 220, 220));
    m_edit->setExtraSelections({mark});
}

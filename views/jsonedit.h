#pragma once

#include <iso/value.h>

#include <QWidget>

#include <optional>

class QLabel;
class QPlainTextEdit;

/// A JSON editor that checks what is typed as it is typed: when the text
/// does not parse, it underlines where it stopped making sense and says
/// why below ("line 2, column 7: expected ':' after an object key").
/// Empty text means `null` when allowed.
class JsonEdit : public QWidget
{
    Q_OBJECT

public:
    explicit JsonEdit(QWidget* parent = nullptr);

    /// Whether empty text is accepted, as null.
    void setEmptyIsNull(bool allowed);
    void setText(const QString& text);
    QString text() const;
    /// The parsed value; empty while the text is not valid JSON.
    const std::optional<iso::Value>& value() const { return m_value; }
    bool isValid() const { return m_value.has_value(); }
    /// Why the text is not valid, with where; empty when it is.
    QString error() const;

    QPlainTextEdit* editor() const { return m_edit; }

signals:
    void validityChanged(bool valid);

private:
    void check();
    void markError(int position);

    QPlainTextEdit* m_edit;
    QLabel* m_error;
    std::optional<iso::Value> m_value;
    bool m_emptyIsNull = true;
};

#pragma once

#include <QWidget>

class QLabel;
class QTimer;
class QToolButton;

/// A one-line banner for what the person's last action came to: good news
/// fades after a few seconds, a failure stays until it is closed or the
/// next action replaces it.
class MessageBar : public QWidget
{
    Q_OBJECT

public:
    static constexpr std::chrono::seconds goodNewsShown{5};

    explicit MessageBar(QWidget* parent = nullptr);

    QString text() const;
    bool isError() const { return m_error; }

public slots:
    void show(const QString& text, bool error);

private:
    QLabel* m_text;
    QToolButton* m_close;
    QTimer* m_hide;
    bool m_error = false;
};

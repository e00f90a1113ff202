#pragma once

#include <QWidget>

class EventLogModel;
class QLineEdit;
class QSortFilterProxyModel;
class QTableView;

/// The event log: lifecycle events, errors and dead letters as they come,
/// filtered by any text in them. It follows new rows while scrolled to the
/// end.
class EventLogPage : public QWidget
{
    Q_OBJECT

public:
    /// The page shows `model` but does not own it.
    explicit EventLogPage(EventLogModel* model, QWidget* parent = nullptr);

    QTableView* view() const { return m_table; }

private:
    QLineEdit* m_filter;
    QSortFilterProxyModel* m_proxy;
    QTableView* m_table;
};

#pragma once

#include <QWidget>

class IsolateListModel;
class QLineEdit;
class QSortFilterProxyModel;
class QTableView;

/// The isolate table: every live isolate, sortable by any column and
/// filtered by name.
class IsolateListPage : public QWidget
{
    Q_OBJECT

public:
    /// The page shows `model` but does not own it.
    explicit IsolateListPage(IsolateListModel* model, QWidget* parent = nullptr);

private:
    QLineEdit* m_filter;
    QSortFilterProxyModel* m_proxy;
    QTableView* m_table;
};

#pragma once

#include <QWidget>

class IsolateFilterModel;
class IsolateSelection;
class IsolateTableModel;
class QLabel;
class QLineEdit;
class QTableView;
class SelectionFollower;

/// The isolate table page: every isolate, sortable by any column, filtered
/// by text or path pattern (see IsolateFilter), its current row following
/// the shared selection both ways.
class IsolateTablePage : public QWidget
{
    Q_OBJECT

public:
    /// The page shows `model` and follows `selection`, owning neither.
    IsolateTablePage(IsolateTableModel* model, IsolateSelection* selection, QWidget* parent = nullptr);

    /// For the window's context menu and actions.
    QTableView* view() const { return m_table; }

private:
    void applyFilter(const QString& text);

    IsolateTableModel* m_model;
    IsolateSelection* m_selection;
    QLineEdit* m_filter;
    QLabel* m_filterError;
    IsolateFilterModel* m_proxy;
    QTableView* m_table;
    SelectionFollower* m_follower;
};

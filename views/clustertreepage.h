#pragma once

#include <iso/fwd.h>

#include <QPersistentModelIndex>
#include <QSet>
#include <QWidget>

class ClusterTreeModel;
class IsolateSelection;
class QLineEdit;
class QModelIndex;
class IsolateFilterModel;
class QTreeView;

/// The supervision tree, with the first two levels expanded but for
/// supervisors of more than `openChildrenLimit` children and the plain
/// isolates' group, which stay shut until opened; filtered by text (in names, paths and
/// ids) or, for text that starts with '/', by path: a prefix, or a
/// pattern with wildcards as iso::PathPattern reads it (`/demo/pool/*`).
/// The rows above a match stay, so that it is seen where it sits. It
/// follows the shared selection both ways: picking a row selects its
/// isolate everywhere, a selection made elsewhere is shown here, and a
/// selected path that restarts stays selected as its new incarnation.
class ClusterTreePage : public QWidget
{
    Q_OBJECT

public:
    /// A row with more children than this is not opened by itself: ten
    /// thousand workers stay one row until someone wants to see them.
    static constexpr int openChildrenLimit = 64;

    /// The page shows `model` and follows `selection`; it owns neither.
    ClusterTreePage(ClusterTreeModel* model, IsolateSelection* selection, QWidget* parent = nullptr);

    /// The tree, for the window to attach a context menu to.
    QTreeView* view() const { return m_view; }

private:
    void setFilter(const QString& text);
    void expandInserted(const QModelIndex& parent, int first, int last);
    void expandDefault(const QModelIndex& index);
    /// Opens `index` as the page's own doing, which it may undo.
    void open(const QModelIndex& index);
    void followRestart(iso::IsolateId previous, iso::IsolateId next);

    ClusterTreeModel* m_model;
    IsolateSelection* m_selection;
    QLineEdit* m_filter;
    IsolateFilterModel* m_proxy;
    QTreeView* m_view;
    /// The rows the page opened by itself, and nobody has touched since.
    QSet<QPersistentModelIndex> m_openedByPage;
    bool m_opening = false;  ///< open() is expanding a row
};

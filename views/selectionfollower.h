#pragma once

#include <iso/fwd.h>

#include <QModelIndex>
#include <QObject>

#include <functional>

class IsolateSelection;
class QAbstractItemModel;
class QAbstractItemView;

/// Keeps a view's current row and the shared IsolateSelection in step: the
/// person moving the current row selects that isolate everywhere; a
/// selection made elsewhere becomes the view's current row, scrolled to;
/// and rows that come, go or move as the model changes (a batch, a filter,
/// a sort) never select another isolate by themselves, as Qt's selection
/// model would when the current row goes.
class SelectionFollower : public QObject
{
    Q_OBJECT

public:
    /// The index in the view's model that shows `id`; invalid if none does.
    using Locate = std::function<QModelIndex(iso::IsolateId id)>;

    /// Sets `model` on `view` (it must not have one yet, so that this
    /// hears of model changes before the view's selection model does), and
    /// follows `selection`. `idRole` gives a row's isolate id.
    SelectionFollower(QAbstractItemView* view, QAbstractItemModel* model, IsolateSelection* selection, int idRole,
                      Locate locate);

    /// Makes the view show the selected isolate as current, or nothing.
    void showSelected();

private:
    void currentRowChanged(const QModelIndex& current);
    void modelChanging();
    void modelChanged();

    QAbstractItemView* m_view;
    IsolateSelection* m_selection;
    int m_idRole;
    Locate m_locate;
    int m_changing = 0;  ///< model changes under way
};

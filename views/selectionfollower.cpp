#include "selectionfollower.h"

#include "isolateselection.h"

#include <QAbstractItemView>

SelectionFollower::SelectionFollower(QAbstractItemView* view, QAbstractItemModel* model,
                                     IsolateSelection* selection, int idRole, Locate locate)
    : QObject(view)
    , m_view(view)
    , m_selection(selection)
    , m_idRole(idRole)
    , m_locate(std::move(locate))
{
    Q_ASSERT(view->model() == nullptr);
    // Connected before the view's selection model, so these run first...
    connect(model, &QAbstractItemModel::rowsAboutToBeRemoved, this, &SelectionFollower::modelChanging);
    connect(model, &QAbstractItemModel::rowsAboutToBeInserted, this, &SelectionFollower::modelChanging);
    connect(model, &QAbstractItemModel::layoutAboutToBeChanged, this, &SelectionFollower::modelChanging);
    connect(model, &QAbstractItemModel::modelAboutToBeReset, this, &SelectionFollower::modelChanging);
    view->setModel(model);
    // ...and these after it has moved its current row.
    connect(model, &QAbstractItemModel::rowsRemoved, this, &SelectionFollower::modelChanged);
    connect(model, &QAbstractItemModel::rowsInserted, this, &SelectionFollower::modelChanged);
    connect(model, &QAbstractItemModel::layoutChanged, this, &SelectionFollower::modelChanged);
    connect(model, &QAbstractItemModel::modelReset, this, &SelectionFollower::modelChanged);
    connect(view->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            &SelectionFollower::currentRowChanged);
    connect(selection, &IsolateSelection::changed, this, &SelectionFollower::showSelected);
    showSelected();
}

void SelectionFollower::currentRowChanged(const QModelIndex& current)
{
    // A row without an isolate (a group) selects nothing.
    if (const iso::IsolateId id = current.data(m_idRole).toULongLong(); m_changing == 0 && id != 0)
        m_selection->select(id);
}

void SelectionFollower::modelChanging()
{
    ++m_changing;
}

void SelectionFollower::modelChanged()
{
    if (m_changing > 0)
        --m_changing;
    if (m_changing == 0)
        showSelected();
}

void SelectionFollower::showSelected()
{
    const QModelIndex index = m_locate(m_selection->current());
    QItemSelectionModel* selectionModel = m_view->selectionModel();
    if (index.isValid() && index.siblingAtColumn(0) == m_view->currentIndex().siblingAtColumn(0))
        return;
    ++m_changing;  // what follows is not the person's doing
    if (!index.isValid()) {
        selectionModel->clear();
    } else {
        selectionModel->setCurrentIndex(index, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
        m_view->scrollTo(index);
    }
    --m_changing;
}

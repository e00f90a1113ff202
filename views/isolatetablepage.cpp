#include "isolatetablepage.h"

#include "isolatefilter.h"
#include "isolateselection.h"
#include "isolatetablemodel.h"
#include "selectionfollower.h"

#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QTableView>
#include <QVBoxLayout>

IsolateTablePage::IsolateTablePage(IsolateTableModel* model, IsolateSelection* selection, QWidget* parent)
    : QWidget(parent)
    , m_model(model)
    , m_selection(selection)
    , m_filter(new QLineEdit(this))
    , m_filterError(new QLabel(this))
    , m_proxy(new IsolateFilterModel(IsolateTableModel::NameColumn, IsolateTableModel::StateColumn,
                                     IsolateTableModel::PathRole, IsolateTableModel::IsolateIdRole, this))
    , m_table(new QTableView(this))
{
    m_filter->setPlaceholderText(tr("Filter by text, or by path pattern such as /demo/pool/*"));
    m_filter->setClearButtonEnabled(true);
    m_filterError->hide();
    connect(m_filter, &QLineEdit::textChanged, this, &IsolateTablePage::applyFilter);

    m_proxy->setSourceModel(model);
    m_proxy->setSortRole(IsolateTableModel::SortRole);

    m_follower = new SelectionFollower(m_table, m_proxy, m_selection, IsolateTableModel::IsolateIdRole,
                                       [this](iso::IsolateId id) {
                                           const int row = m_model->rowOf(id);
                                           return row < 0 ? QModelIndex()
                                                          : m_proxy->mapFromSource(m_model->index(row, 0));
                                       });
    m_table->setSortingEnabled(true);
    m_table->sortByColumn(IsolateTableModel::IdColumn, Qt::AscendingOrder);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->setAlternatingRowColors(true);
    m_table->setWordWrap(false);
    m_table->verticalHeader()->hide();
    m_table->verticalHeader()->setDefaultSectionSize(m_table->fontMetrics().height() + 8);
    // Fixed widths: sizing columns to their contents would read every row.
    QHeaderView* header = m_table->horizontalHeader();
    header->setSectionResizeMode(QHeaderView::Interactive);
    const int x = m_table->fontMetrics().horizontalAdvance(u'x');
    header->setDefaultSectionSize(x * 8);
    header->resizeSection(IsolateTableModel::PathColumn, x * 26);
    header->resizeSection(IsolateTableModel::NameColumn, x * 14);
    header->setStretchLastSection(true);


    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins({});
    layout->setSpacing(2);
    layout->addWidget(m_filter);
    layout->addWidget(m_filterError);
    layout->addWidget(m_table);
}

void IsolateTablePage::applyFilter(const QString& text)
{
    const QString error = m_proxy->setFilterText(text);
    m_filterError->setText(tr("Not a path pattern: %1").arg(error));
    m_filterError->setVisible(!error.isEmpty());
}

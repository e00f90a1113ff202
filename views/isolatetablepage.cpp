#include "isolatetablepage.h"

#include "isolatefilter.h"
#include "isolateselection.h"
#include "isolatetablemodel.h"
#include "selectionfollower.h"

#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QVBoxLayout>

namespace {

/// Keeps the rows an IsolateFilter accepts.
class FilterProxy : public QSortFilterProxyModel
{
public:
    using QSortFilterProxyModel::QSortFilterProxyModel;

    void setFilter(IsolateFilter filter)
    {
        m_filter = std::move(filter);
        invalidateRowsFilter();
    }

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex& sourceParent) const override
    {
        if (m_filter.isEmpty())
            return true;
        const QModelIndex index = sourceModel()->index(sourceRow, IsolateTableModel::NameColumn, sourceParent);
        return m_filter.matches(index.data(IsolateTableModel::PathRole).toString().toStdString(),
                                index.data().toString().toStdString(),
                                index.data(IsolateTableModel::StateNameRole).toString().toStdString());
    }

private:
    IsolateFilter m_filter;
};

} // namespace

IsolateTablePage::IsolateTablePage(IsolateTableModel* model, IsolateSelection* selection, QWidget* parent)
    : QWidget(parent)
    , m_model(model)
    , m_selection(selection)
    , m_filter(new QLineEdit(this))
    , m_filterError(new QLabel(this))
    , m_proxy(new FilterProxy(this))
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
    IsolateFilter filter(text);
    // Text that looks like a pattern but is not one filters as text; say why.
    const bool meantPattern = text.trimmed().startsWith(u'/');
    if (meantPattern && !filter.isPathPattern()) {
        m_filterError->setText(tr("Not a path pattern, so filtering by text: %1")
                                   .arg(QString::fromStdString(iso::PathPattern::parse(text.trimmed().toStdString()).error())));
        m_filterError->show();
    } else {
        m_filterError->hide();
    }
    static_cast<FilterProxy*>(m_proxy)->setFilter(std::move(filter));
}

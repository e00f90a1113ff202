#include "clustertreepage.h"

#include "clustertreemodel.h"
#include "isolateselection.h"

#include <iso/path.h>

#include <QHeaderView>
#include <QLineEdit>
#include <QPainter>
#include <QSortFilterProxyModel>
#include <QStyledItemDelegate>
#include <QTreeView>
#include <QVBoxLayout>

#include <optional>

namespace {

using Badge = ClusterTreeModel::Badge;

/// Rows whose name, path or id holds the text; for text that starts with
/// '/', rows whose path starts with it or, with wildcards, matches it as
/// a path pattern. Plain isolates have no path, so no path filter keeps them.
class TreeFilter : public QSortFilterProxyModel
{
public:
    using QSortFilterProxyModel::QSortFilterProxyModel;

    /// Returns why `text` is no path pattern, or nothing if it is fine.
    QString setText(const QString& text)
    {
        m_text = text.trimmed();
        m_pattern.reset();
        m_error.clear();
        if (isPathFilter() && (m_text.contains(u'*') || m_text.contains(u'?'))) {
            auto parsed = iso::PathPattern::parse(m_text.toStdString());
            if (parsed)
                m_pattern = *parsed;
            else
                m_error = QString::fromStdString(parsed.error());
        }
        invalidateRowsFilter();
        return m_error;
    }

    bool active() const { return !m_text.isEmpty(); }

protected:
    bool filterAcceptsRow(int row, const QModelIndex& parent) const override
    {
        if (m_text.isEmpty())
            return true;
        const QModelIndex index = sourceModel()->index(row, ClusterTreeModel::NameColumn, parent);
        const QString path = index.data(ClusterTreeModel::PathRole).toString();
        if (isPathFilter()) {
            if (!m_error.isEmpty() || path.isEmpty())
                return false;
            if (!m_pattern)
                return path.startsWith(m_text);
            const auto parsed = iso::Path::parse(path.toStdString());
            return parsed && m_pattern->matches(*parsed);
        }
        const auto id = index.data(ClusterTreeModel::IsolateIdRole).toULongLong();
        return path.contains(m_text, Qt::CaseInsensitive)
            || index.data().toString().contains(m_text, Qt::CaseInsensitive)
            || (id != 0 && QString::number(id) == m_text);
    }

private:
    bool isPathFilter() const { return m_text.startsWith(u'/'); }

    QString m_text;
    std::optional<iso::PathPattern> m_pattern;
    QString m_error;
};

/// Numbers that should stand out as pills: grey, amber or red.
class BadgeDelegate : public QStyledItemDelegate
{
public:
    using QStyledItemDelegate::QStyledItemDelegate;

    void paint(QPainter* painter, const QStyleOptionViewItem& option, const QModelIndex& index) const override
    {
        const auto badge = index.data(ClusterTreeModel::BadgeRole).value<Badge>();
        if (badge == Badge::None) {
            QStyledItemDelegate::paint(painter, option, index);
            return;
        }
        QStyleOptionViewItem item = option;
        initStyleOption(&item, index);
        const QString text = item.text;
        item.text.clear();
        const QWidget* widget = option.widget;
        QStyle* style = widget != nullptr ? widget->style() : nullptr;
        if (style != nullptr)
            style->drawControl(QStyle::CE_ItemViewItem, &item, painter, widget);

        const QFontMetrics metrics(item.font);
        const int height = std::min(metrics.height() + 2, item.rect.height() - 2);
        const int width = std::max(metrics.horizontalAdvance(text) + height, height + 4);
        const QRect pill(item.rect.right() - 4 - width, item.rect.center().y() - height / 2 + 1, width, height);
        const auto [fill, ink] = coloursOf(badge);
        painter->save();
        painter->setRenderHint(QPainter::Antialiasing);
        painter->setPen(Qt::NoPen);
        painter->setBrush(fill);
        painter->drawRoundedRect(pill, height / 2.0, height / 2.0);
        painter->setPen(ink);
        painter->setFont(item.font);
        painter->drawText(pill, Qt::AlignCenter, text);
        painter->restore();
    }

private:
    static std::pair<QColor, QColor> coloursOf(Badge badge)
    {
        switch (badge) {
        case Badge::Alarm: return {QColor(0xc6, 0x3c, 0x3c), Qt::white};
        case Badge::Warning: return {QColor(0xf2, 0xb1, 0x3c), QColor(0x3a, 0x2a, 0x00)};
        default: return {QColor(0xe2, 0xe4, 0xe8), QColor(0x30, 0x30, 0x30)};
        }
    }
};

/// How deep `index` is: 0 at the top.
int depthOf(QModelIndex index)
{
    int depth = 0;
    while ((index = index.parent()).isValid())
        ++depth;
    return depth;
}

bool isGroup(const QModelIndex& index)
{
    return index.data(ClusterTreeModel::IsolateIdRole).toULongLong() == 0;
}

iso::IsolateId idOf(const QModelIndex& index)
{
    return index.data(ClusterTreeModel::IsolateIdRole).toULongLong();
}

} // namespace

ClusterTreePage::ClusterTreePage(ClusterTreeModel* model, IsolateSelection* selection, QWidget* parent)
    : QWidget(parent)
    , m_model(model)
    , m_selection(selection)
    , m_filter(new QLineEdit(this))
    , m_proxy(new TreeFilter(this))
    , m_view(new QTreeView(this))
{
    m_filter->setObjectName(QStringLiteral("filter"));
    m_filter->setPlaceholderText(tr("Filter by name, or by path: /demo/pool/*"));
    m_filter->setClearButtonEnabled(true);
    connect(m_filter, &QLineEdit::textChanged, this, &ClusterTreePage::setFilter);

    m_proxy->setSourceModel(model);
    m_proxy->setRecursiveFilteringEnabled(true);

    m_view->setModel(m_proxy);
    m_view->setUniformRowHeights(true);  // row heights are never measured: 10,000 rows stay cheap
    m_view->setSelectionMode(QAbstractItemView::SingleSelection);
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setAlternatingRowColors(true);
    m_view->setAllColumnsShowFocus(true);
    auto* badges = new BadgeDelegate(m_view);
    m_view->setItemDelegateForColumn(ClusterTreeModel::MailboxColumn, badges);
    m_view->setItemDelegateForColumn(ClusterTreeModel::RestartsColumn, badges);
    QHeaderView* header = m_view->header();
    header->setStretchLastSection(false);
    header->setSectionResizeMode(ClusterTreeModel::NameColumn, QHeaderView::Stretch);
    const int digit = m_view->fontMetrics().horizontalAdvance(QLatin1Char('0'));
    m_view->setColumnWidth(ClusterTreeModel::StateColumn, 11 * digit);
    m_view->setColumnWidth(ClusterTreeModel::MailboxColumn, 9 * digit);
    m_view->setColumnWidth(ClusterTreeModel::RestartsColumn, 9 * digit);
    m_view->setColumnWidth(ClusterTreeModel::IdColumn, 5 * digit);

    // The view connected first, so it knows of new rows by the time these run.
    connect(m_proxy, &QAbstractItemModel::rowsInserted, this, &ClusterTreePage::expandInserted);
    connect(m_view->selectionModel(), &QItemSelectionModel::selectionChanged, this, &ClusterTreePage::pickRow);
    connect(m_selection, &IsolateSelection::changed, this, &ClusterTreePage::showIsolate);
    connect(m_model, &ClusterTreeModel::incarnationReplaced, this, &ClusterTreePage::followRestart);

    for (int row = 0; row < m_proxy->rowCount(); ++row)
        expandDefault(m_proxy->index(row, 0));
    showIsolate(m_selection->current());

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins({});
    layout->addWidget(m_filter);
    layout->addWidget(m_view);
}

void ClusterTreePage::setFilter(const QString& text)
{
    auto* filter = static_cast<TreeFilter*>(m_proxy);
    const QString error = filter->setText(text);
    m_filter->setToolTip(error.isEmpty() ? QString() : tr("Not a path pattern: %1").arg(error));
    // Collapsing first leaves one layout for all the expanding that follows.
    m_view->collapseAll();
    if (filter->active()) {
        m_view->expandAll();
    } else {
        for (int row = 0; row < m_proxy->rowCount(); ++row)
            expandDefault(m_proxy->index(row, 0));
    }
    if (const QModelIndex current = m_view->currentIndex(); current.isValid())
        m_view->scrollTo(current);
}

/// New rows open as the page opened: matches all the way down while a
/// filter is on, else the first two levels; a row of those levels opens
/// when it gets its first children.
void ClusterTreePage::expandInserted(const QModelIndex& parent, int first, int last)
{
    if (static_cast<TreeFilter*>(m_proxy)->active()) {
        for (int row = first; row <= last; ++row)
            m_view->expandRecursively(m_proxy->index(row, 0, parent));
        return;
    }
    if (parent.isValid() && m_proxy->rowCount(parent) == last - first + 1 && depthOf(parent) < 2 && !isGroup(parent))
        m_view->expand(parent);
    for (int row = first; row <= last; ++row)
        expandDefault(m_proxy->index(row, 0, parent));
}

/// Opens `index` and the row below it down to the second level; leaves
/// (each an expanded index for the view to keep up) and the group stay shut.
void ClusterTreePage::expandDefault(const QModelIndex& index)
{
    if (!m_proxy->hasChildren(index) || isGroup(index) || depthOf(index) >= 2)
        return;
    m_view->expand(index);
    const int rows = m_proxy->rowCount(index);
    for (int row = 0; row < rows; ++row)
        expandDefault(m_proxy->index(row, 0, index));
}

void ClusterTreePage::pickRow()
{
    if (m_showing)
        return;
    const QModelIndexList rows = m_view->selectionModel()->selectedRows();
    if (rows.isEmpty())
        return;
    if (const iso::IsolateId id = idOf(rows.first()); id != 0)
        m_selection->select(id);
}

void ClusterTreePage::showIsolate(iso::IsolateId id)
{
    const QModelIndex row = m_proxy->mapFromSource(m_model->indexOf(id));
    if (row.isValid() && m_view->selectionModel()->isRowSelected(row.row(), row.parent()))
        return;
    m_showing = true;
    if (!row.isValid()) {
        m_view->selectionModel()->clear();
    } else {
        for (QModelIndex above = row.parent(); above.isValid(); above = above.parent())
            m_view->expand(above);
        m_view->selectionModel()->setCurrentIndex(
            row, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
        m_view->scrollTo(row);
    }
    m_showing = false;
}

void ClusterTreePage::followRestart(iso::IsolateId previous, iso::IsolateId next)
{
    if (m_selection->current() == previous)
        m_selection->select(next);
}

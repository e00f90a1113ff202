#include "clustertreepage.h"

#include "clustertreemodel.h"
#include "isolatefilter.h"
#include "isolateselection.h"
#include "selectionfollower.h"


#include <QHeaderView>
#include <QLineEdit>
#include <QPainter>
#include <QStyledItemDelegate>
#include <QTreeView>
#include <QVBoxLayout>


namespace {

using Badge = ClusterTreeModel::Badge;

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

} // namespace

ClusterTreePage::ClusterTreePage(ClusterTreeModel* model, IsolateSelection* selection, QWidget* parent)
    : QWidget(parent)
    , m_model(model)
    , m_selection(selection)
    , m_filter(new QLineEdit(this))
    , m_proxy(new IsolateFilterModel(ClusterTreeModel::NameColumn, ClusterTreeModel::StateColumn,
                                     ClusterTreeModel::PathRole, ClusterTreeModel::IsolateIdRole, this))
    , m_view(new QTreeView(this))
{
    m_filter->setObjectName(QStringLiteral("filter"));
    m_filter->setPlaceholderText(tr("Filter by name, or by path: /demo/pool/*"));
    m_filter->setClearButtonEnabled(true);
    connect(m_filter, &QLineEdit::textChanged, this, &ClusterTreePage::setFilter);

    m_proxy->setSourceModel(model);
    m_proxy->setRecursiveFilteringEnabled(true);

    // Sets the model on the view, and keeps its current row and the shared
    // selection in step; scrolling to a row opens the rows above it.
    new SelectionFollower(m_view, m_proxy, m_selection, ClusterTreeModel::IsolateIdRole, [this](iso::IsolateId id) {
        return m_proxy->mapFromSource(m_model->indexOf(id));
    });
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
    // A row someone opened (by hand, or by selecting a child) is theirs:
    // it stays open however many children come.
    connect(m_view, &QTreeView::expanded, this, [this](const QModelIndex& index) {
        if (!m_opening)
            m_openedByPage.remove(QPersistentModelIndex(index));
    });
    connect(m_view, &QTreeView::collapsed, this,
            [this](const QModelIndex& index) { m_openedByPage.remove(QPersistentModelIndex(index)); });
    connect(m_model, &ClusterTreeModel::incarnationReplaced, this, &ClusterTreePage::followRestart);

    for (int row = 0; row < m_proxy->rowCount(); ++row)
        expandDefault(m_proxy->index(row, 0));

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins({});
    layout->addWidget(m_filter);
    layout->addWidget(m_view);
}

void ClusterTreePage::setFilter(const QString& text)
{
    const QString error = m_proxy->setFilterText(text);
    m_filter->setToolTip(error.isEmpty() ? QString() : tr("Not a path pattern: %1").arg(error));
    // Collapsing first leaves one layout for all the expanding that follows.
    m_view->collapseAll();
    m_openedByPage.clear();
    if (m_proxy->isFiltering()) {
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
    if (m_proxy->isFiltering()) {
        for (int row = first; row <= last; ++row)
            m_view->expandRecursively(m_proxy->index(row, 0, parent));
        return;
    }
    const int children = m_proxy->rowCount(parent);
    if (parent.isValid() && children == last - first + 1 && children <= openChildrenLimit && depthOf(parent) < 2
        && !isGroup(parent))
        open(parent);
    // Children that come later count too: a pool that grows past the
    // limit shuts, unless someone opened it.
    if (children > openChildrenLimit && m_openedByPage.contains(QPersistentModelIndex(parent)))
        m_view->collapse(parent);
    for (int row = first; row <= last; ++row)
        expandDefault(m_proxy->index(row, 0, parent));
}

void ClusterTreePage::open(const QModelIndex& index)
{
    m_opening = true;
    m_view->expand(index);
    m_opening = false;
    m_openedByPage.insert(QPersistentModelIndex(index));
}

/// Opens `index` and the row below it down to the second level; leaves
/// (each an expanded index for the view to keep up), the group and rows
/// with many children stay shut.
void ClusterTreePage::expandDefault(const QModelIndex& index)
{
    const int rows = m_proxy->rowCount(index);
    if (rows == 0 || rows > openChildrenLimit || isGroup(index) || depthOf(index) >= 2)
        return;
    open(index);
    for (int row = 0; row < rows; ++row)
        expandDefault(m_proxy->index(row, 0, index));
}

void ClusterTreePage::followRestart(iso::IsolateId previous, iso::IsolateId next)
{
    if (m_selection->current() == previous)
        m_selection->select(next);
}

#include "isolatefilter.h"

IsolateFilter::IsolateFilter(const QString& text)
    : m_text(text.trimmed())
{
    if (!m_text.startsWith(u'/') || !(m_text.contains(u'*') || m_text.contains(u'?')))
        return;
    if (auto pattern = iso::PathPattern::parse(m_text.toStdString()))
        m_pattern = std::move(*pattern);
    else
        m_error = QString::fromStdString(pattern.error());
}

bool IsolateFilter::matches(const QString& path, const QString& name, const QString& state, iso::IsolateId id) const
{
    if (m_text.isEmpty())
        return true;
    if (m_text.startsWith(u'/')) {
        if (path.isEmpty() || !m_error.isEmpty())
            return false;
        if (!m_pattern)
            return path.startsWith(m_text);
        const auto parsed = iso::Path::parse(path.toStdString());
        return parsed && m_pattern->matches(*parsed);
    }
    return path.contains(m_text, Qt::CaseInsensitive) || name.contains(m_text, Qt::CaseInsensitive)
        || state.contains(m_text, Qt::CaseInsensitive) || (id != 0 && QString::number(id) == m_text);
}

IsolateFilterModel::IsolateFilterModel(int nameColumn, int stateColumn, int pathRole, int idRole, QObject* parent)
    : QSortFilterProxyModel(parent)
    , m_nameColumn(nameColumn)
    , m_stateColumn(stateColumn)
    , m_pathRole(pathRole)
    , m_idRole(idRole)
{
}

QString IsolateFilterModel::setFilterText(const QString& text)
{
    m_filter = IsolateFilter(text);
    invalidateRowsFilter();
    return m_filter.error();
}

bool IsolateFilterModel::filterAcceptsRow(int sourceRow, const QModelIndex& sourceParent) const
{
    if (m_filter.isEmpty())
        return true;
    const QModelIndex name = sourceModel()->index(sourceRow, m_nameColumn, sourceParent);
    const QModelIndex state = sourceModel()->index(sourceRow, m_stateColumn, sourceParent);
    return m_filter.matches(name.data(m_pathRole).toString(), name.data().toString(), state.data().toString(),
                            name.data(m_idRole).toULongLong());
}

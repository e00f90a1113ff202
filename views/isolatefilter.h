#pragma once

#include <iso/fwd.h>
#include <iso/path.h>

#include <QSortFilterProxyModel>
#include <QString>

#include <optional>
#include <string_view>

/// What a person typed in a view's filter box, the same in every view.
/// Text that starts with '/' filters by path: with a wildcard it is a path
/// pattern (`/demo/pool/*`, `/app/**`), without one a prefix, so that the
/// rows narrow down as the path is typed (`/demo/po`); plain isolates have no path, so a
/// path filter never keeps them. Other text keeps the isolates whose path,
/// name or state contains it, ignoring case, or whose id it is. Empty
/// keeps everything.
class IsolateFilter
{
public:
    IsolateFilter() = default;
    explicit IsolateFilter(const QString& text);

    bool isEmpty() const { return m_text.isEmpty(); }
    /// Why the text is not a path pattern though it looks like one; such a
    /// filter keeps nothing. Empty when the filter is fine.
    const QString& error() const { return m_error; }

    bool matches(const QString& path, const QString& name, const QString& state, iso::IsolateId id) const;

private:
    QString m_text;
    std::optional<iso::PathPattern> m_pattern;
    QString m_error;
};

/// A proxy that keeps the rows an IsolateFilter accepts, reading a row's
/// name and state from their columns and its path and id from roles.
class IsolateFilterModel : public QSortFilterProxyModel
{
    Q_OBJECT

public:
    IsolateFilterModel(int nameColumn, int stateColumn, int pathRole, int idRole, QObject* parent = nullptr);

    /// Filters by `text`; returns the filter's error, if any.
    QString setFilterText(const QString& text);
    bool isFiltering() const { return !m_filter.isEmpty(); }

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex& sourceParent) const override;

private:
    IsolateFilter m_filter;
    int m_nameColumn;
    int m_stateColumn;
    int m_pathRole;
    int m_idRole;
};

#pragma once

#include <iso/fwd.h>

#include <QObject>

/// The isolate the person is looking at, shared by every view: selecting
/// an isolate anywhere selects it everywhere. Views call select() when the
/// person picks a row and follow changed() to show the same one; a view
/// must not re-emit the selection it was just told of (select() of the
/// current id is a no-op, which breaks the loop). 0: nothing selected.
/// Only the GUI thread may call members.
class IsolateSelection : public QObject
{
    Q_OBJECT

public:
    explicit IsolateSelection(QObject* parent = nullptr);

    iso::IsolateId current() const { return m_current; }

public slots:
    void select(iso::IsolateId id);
    void clear() { select(0); }

signals:
    void changed(iso::IsolateId id);

private:
    iso::IsolateId m_current = 0;
};

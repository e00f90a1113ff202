#include "isolateselection.h"

#include <QThread>

IsolateSelection::IsolateSelection(QObject* parent)
    : QObject(parent)
{
}

void IsolateSelection::select(iso::IsolateId id)
{
    Q_ASSERT(QThread::currentThread() == thread());
    if (id == m_current)
        return;
    m_current = id;
    emit changed(id);
}

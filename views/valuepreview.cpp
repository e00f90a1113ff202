#include "valuepreview.h"

namespace {

class Preview
{
public:
    explicit Preview(qsizetype limit) : m_limit(limit) { }

    bool full() const { return m_text.size() >= m_limit; }

    void write(const iso::Value& value)
    {
        if (full())
            return;
        switch (value.kind()) {
        case iso::Kind::String: writeString(value.as_string()); break;
        case iso::Kind::Bytes: m_text += QStringLiteral("⟨%1 bytes⟩").arg(value.size()); break;
        case iso::Kind::Transferable:
            m_text += QStringLiteral("⟨transferable, %1 bytes⟩").arg(value.transferable_size());
            break;
        case iso::Kind::List: writeList(value.as_list()); break;
        case iso::Kind::Map: writeMap(value.as_map()); break;
        default: m_text += QString::fromStdString(value.to_json()); break;  // a scalar, a port: short
        }
    }

    QString take()
    {
        if (m_text.size() > m_limit)
            m_text = m_text.left(m_limit - 1) + u'…';
        return std::move(m_text);
    }

private:
    void writeString(const std::string& text)
    {
        // Only as much as can show, escaped as JSON.
        const auto room = static_cast<std::size_t>(std::max<qsizetype>(m_limit - m_text.size(), 0)) + 1;
        QString quoted = QString::fromStdString(iso::Value(text.substr(0, room)).to_json());
        if (text.size() > room)
            quoted.chop(1);  // the closing quote of a cut string
        m_text += quoted;
    }

    void writeList(const iso::List& list)
    {
        m_text += u'[';
        for (std::size_t i = 0; i < list.size() && !full(); ++i) {
            if (i > 0)
                m_text += QStringLiteral(", ");
            write(list[i]);
        }
        m_text += u']';
    }

    void writeMap(const iso::Map& map)
    {
        m_text += u'{';
        for (std::size_t i = 0; i < map.size() && !full(); ++i) {
            if (i > 0)
                m_text += QStringLiteral(", ");
            writeString(map[i].first);
            m_text += QStringLiteral(": ");
            write(map[i].second);
        }
        m_text += u'}';
    }

    qsizetype m_limit;
    QString m_text;
};

} // namespace

QString previewOf(const iso::Value& value, qsizetype limit)
{
    Preview preview(limit);
    preview.write(value);
    return preview.take();
}

// previewOf: one line of JSON, cut short without writing the rest, and
// bytes named by their size.

#include "valuepreview.h"

#include <QtTest>

using namespace Qt::StringLiterals;

class TestValuePreview : public QObject
{
    Q_OBJECT

private slots:
    void smallValuesAreTheirJson_data()
    {
        QTest::addColumn<QString>("json");
        QTest::addRow("int") << u"42"_s;
        QTest::addRow("string") << u"\"a \\\"quoted\\\" word\""_s;
        QTest::addRow("list") << u"[1, true, null]"_s;
        QTest::addRow("map") << u"{\"job\": 7, \"tags\": [\"x\"]}"_s;
    }

    void smallValuesAreTheirJson()
    {
        QFETCH(QString, json);
        const auto value = iso::Value::from_json(json.toStdString());
        QVERIFY(value);
        QCOMPARE(previewOf(*value), json);
    }

    void longValuesStopAtTheLimit()
    {
        const iso::Value text(std::string(1'000'000, 'x'));
        const QString cut = previewOf(text, 40);
        QCOMPARE(cut.size(), 40);
        QVERIFY(cut.startsWith(u"\"xxx"_s));
        QVERIFY(cut.endsWith(u'…'));
        iso::List many(100'000, iso::Value(12345));
        const QString list = previewOf(iso::Value(std::move(many)), 30);
        QCOMPARE(list, u"[12345, 12345, 12345, 12345, …"_s);
    }

    void bytesAreNamedBySize()
    {
        const iso::Value bytes = iso::Value::bytes(iso::Bytes(3000, 1));
        QCOMPARE(previewOf(iso::Value(iso::Map{{"blob", bytes}})), u"{\"blob\": ⟨3000 bytes⟩}"_s);
    }
};

QTEST_APPLESS_MAIN(TestValuePreview)
#include "tst_valuepreview.moc"

// Cluster paths and path patterns.

#include "support.h"

#include <iso/path.h>

#include <QtTest>

using namespace iso;

class TestPath : public QObject {
    Q_OBJECT

private slots:
    void validPaths_data() {
        QTest::addColumn<QString>("text");
        QTest::addColumn<int>("depth");
        QTest::addColumn<QString>("name");
        QTest::addColumn<QString>("parent");
        QTest::addRow("root") << "/" << 0 << "" << "/";
        QTest::addRow("one") << "/app" << 1 << "app" << "/";
        QTest::addRow("three") << "/app/workers/w1" << 3 << "w1" << "/app/workers";
        QTest::addRow("punctuation") << "/a-b/c_d/e.f~g:h@i+j" << 3 << "e.f~g:h@i+j" << "/a-b/c_d";
    }
    void validPaths() {
        QFETCH(QString, text);
        QFETCH(int, depth);
        QFETCH(QString, name);
        QFETCH(QString, parent);
        const Path p = Path::of(text.toStdString());
        QCOMPARE(p.str(), text.toStdString());
        QCOMPARE(int(p.segments().size()), depth);
        QCOMPARE(std::string(p.name()), name.toStdString());
        QCOMPARE(p.parent().str(), parent.toStdString());
    }

    void invalidPaths_data() {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("reason");
        QTest::addRow("empty") << "" << "must start with '/'";
        QTest::addRow("relative") << "app/w" << "must start with '/'";
        QTest::addRow("trailing slash") << "/app/" << "ends with '/'";
        QTest::addRow("double slash") << "/app//w" << "a segment is empty";
        QTest::addRow("dot") << "/app/./w" << "'.' is not allowed";
        QTest::addRow("dot dot") << "/app/../w" << "'..' is not allowed";
        QTest::addRow("space") << "/my app" << "holds ' '";
        QTest::addRow("glob") << "/app/*" << "holds '*'";
    }
    void invalidPaths() {
        QFETCH(QString, text);
        QFETCH(QString, reason);
        auto parsed = Path::parse(text.toStdString());
        QVERIFY(!parsed);
        QVERIFY2(parsed.error().find(reason.toStdString()) != std::string::npos, parsed.error().c_str());
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, Path::of(text.toStdString()));
    }

    void childrenAndAncestors() {
        const Path app = Path::of("/app");
        const Path w1 = app.child("workers").child("w1");
        QCOMPARE(w1.str(), std::string("/app/workers/w1"));
        QVERIFY(app.is_ancestor_of(w1));
        QVERIFY(Path().is_ancestor_of(app));
        QVERIFY(!w1.is_ancestor_of(app));
        QVERIFY(!app.is_ancestor_of(app));
        QVERIFY(!Path::of("/app").is_ancestor_of(Path::of("/apple/x")));
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, app.child("a/b"));
        QVERIFY(Path::of("/a") < Path::of("/b"));
    }

    void patterns_data() {
        QTest::addColumn<QString>("pattern");
        QTest::addColumn<QString>("path");
        QTest::addColumn<bool>("matches");
        QTest::addRow("exact") << "/app/w1" << "/app/w1" << true;
        QTest::addRow("exact other") << "/app/w1" << "/app/w2" << false;
        QTest::addRow("star segment") << "/app/workers/*" << "/app/workers/w1" << true;
        QTest::addRow("star not deeper") << "/app/workers/*" << "/app/workers/w1/helper" << false;
        QTest::addRow("star not shallower") << "/app/workers/*" << "/app/workers" << false;
        QTest::addRow("star in segment") << "/app/w*" << "/app/worker-7" << true;
        QTest::addRow("star in segment miss") << "/app/w*x" << "/app/worker-7" << false;
        QTest::addRow("question") << "/app/w?" << "/app/w1" << true;
        QTest::addRow("question one char") << "/app/w?" << "/app/w12" << false;
        QTest::addRow("globstar deep") << "/app/**" << "/app/a/b/c" << true;
        QTest::addRow("globstar zero") << "/app/**" << "/app" << true;
        QTest::addRow("globstar middle") << "/app/**/w1" << "/app/x/y/w1" << true;
        QTest::addRow("globstar middle zero") << "/app/**/w1" << "/app/w1" << true;
        QTest::addRow("globstar middle miss") << "/app/**/w1" << "/app/x/w2" << false;
        QTest::addRow("root globstar") << "/**" << "/anything/at/all" << true;
    }
    void patterns() {
        QFETCH(QString, pattern);
        QFETCH(QString, path);
        QFETCH(bool, matches);
        QCOMPARE(PathPattern::of(pattern.toStdString()).matches(Path::of(path.toStdString())), matches);
    }

    void badPatterns() {
        QVERIFY(!PathPattern::parse("app/*"));
        QVERIFY(!PathPattern::parse("/app//x"));
        QVERIFY(!PathPattern::parse("/app/a**"));
        QVERIFY(!PathPattern::parse("/app/a b"));
    }

    void fixedPrefix() {
        QCOMPARE(PathPattern::of("/app/*/x").fixed_prefix().str(), std::string("/app"));
        QCOMPARE(PathPattern::of("/app/workers/w?").fixed_prefix().str(), std::string("/app/workers"));
        QCOMPARE(PathPattern::of("/**").fixed_prefix().str(), std::string("/"));
    }
};

QTEST_APPLESS_MAIN(TestPath)
#include "tst_path.moc"

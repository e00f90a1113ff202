// iso::Value in memory: kinds, accessors, sharing, equality and hashing,
// transferables, capabilities, and values nested deeper than any stack.

#include "support.h"

#include <iso/value.h>

#include <QtTest>

#include <atomic>
#include <cmath>
#include <limits>
#include <optional>
#include <thread>
#include <unordered_set>

using namespace iso;
using test::kInf;
using test::kNaN;
using test::transferable;

Q_DECLARE_METATYPE(iso::Kind)

namespace {

template <typename E, typename F> std::optional<std::string> thrown(F&& f) {
    try {
        f();
    } catch (const E& e) {
        return std::string(e.what());
    }
    return std::nullopt;
}

Value transferable(std::size_t size) {
    Bytes bytes(size);
    for (std::size_t i = 0; i < size; ++i) bytes[i] = static_cast<std::uint8_t>(i * 7);
    return Value(Transferable(std::move(bytes)));
}

// One value of every kind.
std::vector<Value> one_of_each_kind() {
    return {Value(),
            Value(true),
            Value(42),
            Value(2.5),
            Value("text"),
            Value::bytes(Bytes{1, 2}),
            Value::list({1, 2}),
            Value::map({{"a", 1}}),
            Value(SendPort(1, 2)),
            Value(Capability::from_id(7)),
            transferable(3)};
}

Value nested_list(std::size_t depth) {
    Value v;
    for (std::size_t i = 0; i < depth; ++i) v = Value(List{std::move(v)});
    return v;
}

Map numbered_entries(int count) {
    Map entries;
    for (int i = 0; i < count; ++i) entries.emplace_back("key" + std::to_string(i), i);
    return entries;
}

struct Accessor {
    const char* name;
    Kind expects;
    void (*call)(const Value&);
};

const Accessor kAccessors[] = {
    {"as_bool", Kind::Bool, [](const Value& v) { (void)v.as_bool(); }},
    {"as_int", Kind::Int, [](const Value& v) { (void)v.as_int(); }},
    {"as_double", Kind::Double, [](const Value& v) { (void)v.as_double(); }},
    {"as_string", Kind::String, [](const Value& v) { (void)v.as_string(); }},
    {"as_bytes", Kind::Bytes, [](const Value& v) { (void)v.as_bytes(); }},
    {"as_list", Kind::List, [](const Value& v) { (void)v.as_list(); }},
    {"as_map", Kind::Map, [](const Value& v) { (void)v.as_map(); }},
    {"as_send_port", Kind::SendPort, [](const Value& v) { (void)v.as_send_port(); }},
    {"as_capability", Kind::Capability, [](const Value& v) { (void)v.as_capability(); }},
    {"operator[](index)", Kind::List, [](const Value& v) { (void)v[std::size_t{0}]; }},
    {"find", Kind::Map, [](const Value& v) { (void)v.find("a"); }},
    {"operator[](key)", Kind::Map, [](const Value& v) { (void)v["a"]; }},
    {"contains", Kind::Map, [](const Value& v) { (void)v.contains("a"); }},
    {"transferable_size", Kind::Transferable, [](const Value& v) { (void)v.transferable_size(); }},
    {"transferable_data", Kind::Transferable, [](const Value& v) { (void)v.transferable_data(); }},
    {"materialize", Kind::Transferable, [](const Value& v) { (void)v.materialize(); }},
};

} // namespace

class TestValue : public QObject {
    Q_OBJECT

private slots:
    void unsignedSizesAreIntsWhenTheyFit() {
        const std::vector<int> three{1, 2, 3};
        QCOMPARE(Value(three.size()).as_int(), std::int64_t(3));
        QCOMPARE(Value(std::uint64_t(std::numeric_limits<std::int64_t>::max())).as_int(),
                 std::numeric_limits<std::int64_t>::max());
        QVERIFY_THROWS_EXCEPTION(std::out_of_range, Value(std::uint64_t(1) << 63));
    }

    void kinds_data() {
        QTest::addColumn<Value>("value");
        QTest::addColumn<Kind>("kind");
        QTest::addColumn<QString>("name");
        const std::string text = "text";
        const Bytes bytes{1, 2, 3};
        QTest::addRow("default") << Value() << Kind::Null << "null";
        QTest::addRow("nullptr") << Value(nullptr) << Kind::Null << "null";
        QTest::addRow("bool") << Value(false) << Kind::Bool << "bool";
        QTest::addRow("int") << Value(1) << Kind::Int << "int";
        QTest::addRow("long") << Value(1L) << Kind::Int << "int";
        QTest::addRow("long long") << Value(1LL) << Kind::Int << "int";
        QTest::addRow("unsigned") << Value(1u) << Kind::Int << "int";
        QTest::addRow("double") << Value(1.0) << Kind::Double << "double";
        QTest::addRow("const char*") << Value("text") << Kind::String << "string";
        QTest::addRow("string_view") << Value(std::string_view(text)) << Kind::String << "string";
        QTest::addRow("std::string") << Value(text) << Kind::String << "string";
        QTest::addRow("bytes from vector") << Value::bytes(bytes) << Kind::Bytes << "bytes";
        QTest::addRow("bytes from span") << Value::bytes(std::span(bytes)) << Kind::Bytes << "bytes";
        QTest::addRow("List") << Value(List{1, 2}) << Kind::List << "list";
        QTest::addRow("list()") << Value::list({1, 2}) << Kind::List << "list";
        QTest::addRow("Map") << Value(Map{{"a", 1}}) << Kind::Map << "map";
        QTest::addRow("map()") << Value::map({{"a", 1}}) << Kind::Map << "map";
        QTest::addRow("port") << Value(SendPort(1, 2)) << Kind::SendPort << "port";
        QTest::addRow("capability") << Value(Capability()) << Kind::Capability << "capability";
        QTest::addRow("transferable") << transferable(4) << Kind::Transferable << "transferable";
    }

    void kinds() {
        QFETCH(Value, value);
        QFETCH(Kind, kind);
        QFETCH(QString, name);
        QCOMPARE(value.kind(), kind);
        QCOMPARE(QString::fromUtf8(kind_name(kind)), name);
        const bool flags[] = {value.is_null(),  value.is_bool(),      value.is_int(),        value.is_double(),
                              value.is_string(), value.is_bytes(),    value.is_list(),       value.is_map(),
                              value.is_send_port(), value.is_capability(), value.is_transferable()};
        for (std::size_t k = 0; k < std::size(flags); ++k)
            QCOMPARE(flags[k], k == static_cast<std::size_t>(kind));
        QCOMPARE(value.is_number(), kind == Kind::Int || kind == Kind::Double);
    }

    void scalarAccessors() {
        QCOMPARE(Value(true).as_bool(), true);
        QCOMPARE(Value(false).as_bool(), false);
        QCOMPARE(Value(-7).as_int(), -7);
        QCOMPARE(Value(4'000'000'000u).as_int(), 4'000'000'000);  // unsigned is not sign-extended
        QCOMPARE(Value(std::numeric_limits<long long>::min()).as_int(), std::numeric_limits<std::int64_t>::min());
        QCOMPARE(Value(std::numeric_limits<long>::max()).as_int(), std::numeric_limits<std::int64_t>::max());
        QCOMPARE(Value(2.5).as_double(), 2.5);
        QCOMPARE(Value(Capability::from_id(99)).as_capability(), Capability::from_id(99));
    }

    void asDoubleWidensInt() {
        QCOMPARE(Value(3).as_double(), 3.0);
        QCOMPARE(Value(-(1LL << 53)).as_double(), -9007199254740992.0);
    }

    void heapAccessors() {
        const std::string with_nul("a\0b", 3);
        QCOMPARE(Value(with_nul).as_string(), with_nul);
        QCOMPARE(Value(std::string_view("view")).as_string(), std::string("view"));
        QCOMPARE(Value::bytes(Bytes{0, 255}).as_bytes(), (Bytes{0, 255}));
        const Value list = Value::list({1, "two", Value::list({3})});
        QCOMPARE(list.as_list().size(), std::size_t(3));
        QCOMPARE(list[1].as_string(), std::string("two"));
        QCOMPARE(list[2][0].as_int(), 3);
        const Value map = Value::map({{"x", 1}, {"y", "z"}});
        QCOMPARE(map.as_map().size(), std::size_t(2));
        QCOMPARE(map.as_map()[1].first, std::string("y"));
        const Value port(SendPort(5, 6));
        QCOMPARE(port.as_send_port().node(), NodeId(5));
        QCOMPARE(port.as_send_port().id(), PortId(6));
    }

    void nullCStringIsRejected() {
        const char* none = nullptr;
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, Value{none});
    }

    void typeErrorsNameBothKinds_data() {
        QTest::addColumn<Value>("value");
        QTest::addColumn<int>("accessor");
        QTest::addColumn<QString>("message");
        for (const Value& v : one_of_each_kind()) {
            for (std::size_t a = 0; a < std::size(kAccessors); ++a) {
                const Accessor& accessor = kAccessors[a];
                if (v.kind() == accessor.expects) continue;
                if (accessor.expects == Kind::Double && v.is_int()) continue;  // widened
                const std::string message = "iso::Value: expected " + std::string(kind_name(accessor.expects)) +
                                            ", got " + std::string(kind_name(v.kind()));
                QTest::addRow("%s on %s", accessor.name, kind_name(v.kind()).data())
                    << v << int(a) << QString::fromStdString(message);
            }
        }
    }

    void typeErrorsNameBothKinds() {
        QFETCH(Value, value);
        QFETCH(int, accessor);
        QFETCH(QString, message);
        const auto what = thrown<TypeError>([&] { kAccessors[accessor].call(value); });
        QVERIFY(what.has_value());
        QCOMPARE(QString::fromStdString(*what), message);
    }

    void sizes_data() {
        QTest::addColumn<Value>("value");
        QTest::addColumn<int>("size");
        QTest::addRow("string counts bytes") << Value("h\xc3\xa9llo") << 6;
        QTest::addRow("empty string") << Value("") << 0;
        QTest::addRow("bytes") << Value::bytes(Bytes{1, 2, 3}) << 3;
        QTest::addRow("list") << Value::list({1, Value::list({2, 3})}) << 2;
        QTest::addRow("map") << Value::map({{"a", 1}, {"b", 2}}) << 2;
        QTest::addRow("null") << Value() << 0;
        QTest::addRow("int") << Value(12) << 0;
        QTest::addRow("transferable") << transferable(5) << 0;
    }

    void sizes() {
        QFETCH(Value, value);
        QFETCH(int, size);
        QCOMPARE(value.size(), std::size_t(size));
    }

    void listIndexOutOfRangeThrows() {
        const Value list = Value::list({1, 2});
        QCOMPARE(list[1].as_int(), 2);
        const auto what = thrown<std::out_of_range>([&] { (void)list[2]; });
        QVERIFY(what.has_value());
        QCOMPARE(*what, std::string("iso::Value: index 2 out of range for a list of 2"));
    }

    void mapLookup() {
        const Value map = Value::map({{"a", 1}, {"b", Value::list({2})}});
        QVERIFY(map.find("a") != nullptr);
        QCOMPARE(map.find("a")->as_int(), 1);
        QCOMPARE(map.find("missing"), nullptr);
        QCOMPARE(map["b"][0].as_int(), 2);
        QCOMPARE(map[std::string_view("a")].as_int(), 1);
        QVERIFY(map["missing"].is_null());
        QVERIFY(map.contains("b"));
        QVERIFY(!map.contains("c"));
        QVERIFY(!map.contains(""));
    }

    void largeMapLookup_data() {
        QTest::addColumn<int>("count");
        QTest::addRow("at the linear limit") << 16;
        QTest::addRow("just above it") << 17;
        QTest::addRow("large") << 5000;
    }

    void largeMapLookup() {
        QFETCH(int, count);
        const Value map{numbered_entries(count)};
        for (int i = 0; i < count; ++i) {
            const Value* found = map.find("key" + std::to_string(i));
            QVERIFY(found != nullptr);
            QCOMPARE(found->as_int(), i);
        }
        QCOMPARE(map.find("key" + std::to_string(count)), nullptr);
        QCOMPARE(map.find(""), nullptr);
    }

    void firstLookupsRaceSafely() {
        // Every round starts from a fresh map, so the threads race to build its index.
        for (int round = 0; round < 20; ++round) {
            const Value map{numbered_entries(300)};
            std::atomic<int> wrong{0};
            std::vector<std::thread> threads;
            for (int t = 0; t < 8; ++t) {
                threads.emplace_back([&map, &wrong, t] {
                    for (int i = 0; i < 300; ++i) {
                        const int k = (i + t * 37) % 300;
                        const Value* found = map.find("key" + std::to_string(k));
                        if (found == nullptr || found->as_int() != k) ++wrong;
                    }
                    if (map.find("absent") != nullptr) ++wrong;
                });
            }
            for (auto& thread : threads) thread.join();
            QCOMPARE(wrong.load(), 0);
        }
    }

    void mapKeepsFirstPositionAndLastValue_data() {
        QTest::addColumn<Value>("map");
        QTest::addColumn<QStringList>("keys");
        QTest::addColumn<QList<int>>("values");
        QTest::addRow("map()") << Value::map({{"b", 1}, {"a", 2}, {"b", 3}, {"c", 4}, {"a", 5}})
                               << QStringList{"b", "a", "c"} << QList<int>{3, 5, 4};
        QTest::addRow("Map") << Value(Map{{"b", 1}, {"a", 2}, {"b", 3}, {"c", 4}, {"a", 5}})
                             << QStringList{"b", "a", "c"} << QList<int>{3, 5, 4};
        QTest::addRow("no repeats") << Value::map({{"z", 1}, {"y", 2}}) << QStringList{"z", "y"} << QList<int>{1, 2};

        Map many = numbered_entries(40);
        many.emplace_back("key5", 100);
        many.emplace_back("new", 41);
        many.emplace_back("key39", 200);
        QStringList keys;
        QList<int> values;
        for (int i = 0; i < 40; ++i) {
            keys << QStringLiteral("key%1").arg(i);
            values << (i == 5 ? 100 : i == 39 ? 200 : i);
        }
        keys << QStringLiteral("new");
        values << 41;
        QTest::addRow("large Map") << Value(std::move(many)) << keys << values;
    }

    void mapKeepsFirstPositionAndLastValue() {
        QFETCH(Value, map);
        QFETCH(QStringList, keys);
        QFETCH(QList<int>, values);
        QStringList actual_keys;
        QList<int> actual_values;
        for (const auto& [key, value] : map.as_map()) {
            actual_keys << QString::fromStdString(key);
            actual_values << int(value.as_int());
        }
        QCOMPARE(actual_keys, keys);
        QCOMPARE(actual_values, values);
        for (qsizetype i = 0; i < keys.size(); ++i) QCOMPARE(map[keys[i].toStdString()].as_int(), values[i]);
    }

    void copiesShareHeapParts() {
        for (const Value& v : one_of_each_kind()) {
            const Value copy = v;
            QCOMPARE(copy.identity(), v.identity());
            Value assigned;
            assigned = v;
            QCOMPARE(assigned.identity(), v.identity());
            const bool heap = v.is_string() || v.is_bytes() || v.is_list() || v.is_map() || v.is_send_port() ||
                              v.is_transferable();
            QCOMPARE(v.identity() != nullptr, heap);
        }
        const Value list = Value::list({"shared"});
        const Value copy = list;
        QCOMPARE(copy.as_list().data(), list.as_list().data());
        QVERIFY(Value("a").identity() != Value("a").identity());
    }

    void moveLeavesNull() {
        Value source = Value::list({1});
        const void* identity = source.identity();
        Value target(std::move(source));
        QVERIFY(source.is_null());  // moved-from values are null by contract
        QCOMPARE(target.identity(), identity);
        Value assigned = 5;
        assigned = std::move(target);
        QVERIFY(target.is_null());
        QCOMPARE(assigned.identity(), identity);
    }

    void selfAssignmentKeepsTheValue() {
        Value v = Value::list({1, 2});
        Value& alias = v;
        v = alias;
        QCOMPARE(v, Value::list({1, 2}));
        v = std::move(alias);
        QCOMPARE(v, Value::list({1, 2}));
    }

    void assignFromOwnElement() {
        // The element must outlive the list it came from being released.
        Value v = Value::list({Value::list({Value("inner")})});
        v = v[0];
        QCOMPARE(v, Value::list({"inner"}));
        v = v[0];
        QCOMPARE(v.as_string(), std::string("inner"));
    }

    void copiesAcrossThreads() {
        Value shared = Value::map({{"list", Value::list({1, "two", Value::bytes(Bytes{3})})}, {"n", 4}});
        const Value expected = Value::map({{"list", Value::list({1, "two", Value::bytes(Bytes{3})})}, {"n", 4}});
        std::atomic<int> mismatches{0};
        std::atomic<bool> go{false};
        std::vector<std::thread> threads;
        for (int t = 0; t < 8; ++t) {
            threads.emplace_back([copy = shared, &expected, &mismatches, &go] {
                while (!go.load()) std::this_thread::yield();
                std::vector<Value> copies;
                for (int i = 0; i < 20000; ++i) {
                    copies.push_back(copy);
                    copies.push_back(copy["list"]);
                    if (i % 100 == 0) copies.clear();
                }
                if (copy != expected) ++mismatches;
            });
        }
        // The test thread lets go first, so the last reference drops on a worker
        // (a miscounted reference shows up as a crash or a leak under ASan).
        shared = Value();
        go = true;
        for (auto& thread : threads) thread.join();
        QCOMPARE(mismatches.load(), 0);
    }

    void equality_data() {
        QTest::addColumn<Value>("a");
        QTest::addColumn<Value>("b");
        QTest::addColumn<bool>("equal");
        const double nan = std::numeric_limits<double>::quiet_NaN();
        const Value t = transferable(3);
        QTest::addRow("null") << Value() << Value(nullptr) << true;
        QTest::addRow("null vs false") << Value() << Value(false) << false;
        QTest::addRow("bools") << Value(true) << Value(true) << true;
        QTest::addRow("different bools") << Value(true) << Value(false) << false;
        QTest::addRow("ints") << Value(7) << Value(7LL) << true;
        QTest::addRow("different ints") << Value(7) << Value(8) << false;
        QTest::addRow("int vs double") << Value(1) << Value(1.0) << false;
        QTest::addRow("doubles") << Value(0.5) << Value(0.5) << true;
        QTest::addRow("NaN") << Value(nan) << Value(-nan) << true;
        QTest::addRow("NaN vs number") << Value(nan) << Value(0.0) << false;
        QTest::addRow("signed zeros") << Value(0.0) << Value(-0.0) << true;
        QTest::addRow("strings") << Value("abc") << Value(std::string("abc")) << true;
        QTest::addRow("different strings") << Value("abc") << Value("abd") << false;
        QTest::addRow("string vs bytes") << Value("ab") << Value::bytes(Bytes{'a', 'b'}) << false;
        QTest::addRow("bytes") << Value::bytes(Bytes{1, 2}) << Value::bytes(Bytes{1, 2}) << true;
        QTest::addRow("bytes vs list") << Value::bytes(Bytes{1, 2}) << Value::list({1, 2}) << false;
        QTest::addRow("nested lists") << Value::list({1, Value::list({2, Value::map({{"x", nan}})})})
                                      << Value::list({1, Value::list({2, Value::map({{"x", nan}})})}) << true;
        QTest::addRow("nested lists differ deep down")
            << Value::list({1, Value::list({2, Value::list({3})})})
            << Value::list({1, Value::list({2, Value::list({4})})}) << false;
        QTest::addRow("list order") << Value::list({1, 2}) << Value::list({2, 1}) << false;
        QTest::addRow("list length") << Value::list({1}) << Value::list({1, 1}) << false;
        QTest::addRow("map order is ignored") << Value::map({{"a", 1}, {"b", 2}}) << Value::map({{"b", 2}, {"a", 1}})
                                              << true;
        QTest::addRow("map values") << Value::map({{"a", 1}}) << Value::map({{"a", 2}}) << false;
        QTest::addRow("map keys") << Value::map({{"a", 1}}) << Value::map({{"b", 1}}) << false;
        QTest::addRow("map sizes") << Value::map({{"a", 1}}) << Value::map({{"a", 1}, {"b", 1}}) << false;
        Map forward = numbered_entries(100);
        const Map reversed(forward.rbegin(), forward.rend());
        QTest::addRow("large maps ignore order") << Value(forward) << Value(reversed) << true;
        forward[50].second = -1;
        QTest::addRow("large maps differ") << Value(forward) << Value(reversed) << false;
        QTest::addRow("ports") << Value(SendPort(1, 2)) << Value(SendPort(1, 2)) << true;
        QTest::addRow("different ports") << Value(SendPort(1, 2)) << Value(SendPort(2, 1)) << false;
        QTest::addRow("capabilities") << Value(Capability::from_id(9)) << Value(Capability::from_id(9)) << true;
        QTest::addRow("new capabilities") << Value(Capability()) << Value(Capability()) << false;
        QTest::addRow("transferable and its copy") << t << Value(t) << true;
        QTest::addRow("transferables with equal bytes") << transferable(3) << transferable(3) << false;
    }

    void equality() {
        QFETCH(Value, a);
        QFETCH(Value, b);
        QFETCH(bool, equal);
        QCOMPARE(a == b, equal);
        QCOMPARE(b == a, equal);
        QCOMPARE(a != b, !equal);
        QVERIFY(a == a);
        if (equal) {
            QCOMPARE(a.hash(), b.hash());
            QCOMPARE(std::hash<Value>{}(a), std::hash<Value>{}(b));
        }
    }

    void hashSeparatesLookalikes_data() {
        QTest::addColumn<Value>("a");
        QTest::addColumn<Value>("b");
        QTest::addRow("int vs double") << Value(1) << Value(1.0);
        QTest::addRow("list order") << Value::list({1, 2}) << Value::list({2, 1});
        QTest::addRow("map values swapped") << Value::map({{"a", 1}, {"b", 2}}) << Value::map({{"a", 2}, {"b", 1}});
        QTest::addRow("nesting") << Value::list({Value::list({})}) << Value::list({});
        QTest::addRow("string vs bytes") << Value("ab") << Value::bytes(Bytes{'a', 'b'});
        QTest::addRow("list vs map") << Value::list({}) << Value::map({});
    }

    void hashSeparatesLookalikes() {
        QFETCH(Value, a);
        QFETCH(Value, b);
        QVERIFY(a != b);
        QVERIFY(a.hash() != b.hash());
    }

    void worksAsHashKey() {
        const double nan = std::numeric_limits<double>::quiet_NaN();
        std::unordered_set<Value> set;
        set.insert(Value(nan));
        set.insert(Value(nan));
        set.insert(Value(0.0));
        set.insert(Value(-0.0));
        set.insert(Value(0));
        set.insert(Value::map({{"a", 1}, {"b", 2}}));
        set.insert(Value::map({{"b", 2}, {"a", 1}}));
        QCOMPARE(set.size(), std::size_t(4));
        QVERIFY(set.contains(Value::map({{"b", 2}, {"a", 1}})));
    }

    void materializeHandsOverTheBufferOnce() {
        Bytes payload(1000, 0x5a);
        const std::uint8_t* address = payload.data();
        const Value original(Transferable(std::move(payload)));
        const Value copy = original;
        QCOMPARE(original.transferable_size(), std::size_t(1000));
        QCOMPARE(original.transferable_data(), address);

        const Bytes taken = copy.materialize();
        QCOMPARE(taken.data(), address);  // moved, not copied
        QCOMPARE(taken.size(), std::size_t(1000));
        QCOMPARE(taken[999], std::uint8_t(0x5a));
        QCOMPARE(original.transferable_size(), std::size_t(0));
        QCOMPARE(original.transferable_data(), nullptr);

        for (const Value* v : {&original, &copy}) {
            const auto what = thrown<std::logic_error>([v] { (void)v->materialize(); });
            QVERIFY(what.has_value());
            QCOMPARE(*what, std::string("iso::Value: transferable already materialized"));
        }
    }

    void materializeRaceHasOneWinner() {
        for (int round = 0; round < 50; ++round) {
            const Value shared = transferable(64);
            std::atomic<int> winners{0};
            std::atomic<int> losers{0};
            std::vector<std::thread> threads;
            for (int t = 0; t < 6; ++t) {
                threads.emplace_back([copy = shared, &winners, &losers] {
                    try {
                        if (copy.materialize().size() == 64) ++winners;
                    } catch (const std::logic_error&) {
                        ++losers;
                    }
                });
            }
            for (auto& thread : threads) thread.join();
            QCOMPARE(winners.load(), 1);
            QCOMPARE(losers.load(), 5);
        }
    }

    void emptyTransferable() {
        const Value empty{Transferable()};
        QCOMPARE(empty.transferable_size(), std::size_t(0));
        QVERIFY(empty.materialize().empty());
        QVERIFY_THROWS_EXCEPTION(std::logic_error, (void)empty.materialize());
    }

    void deepValuesNeedNoStack() {
        // Each of these would recurse once per level if done naively, and a
        // million levels is far more than a thread's stack holds.
        Value deep = nested_list(1'000'000);
        QCOMPARE(deep.size(), std::size_t(1));
        deep = Value();

        Value deep_map;
        for (int i = 0; i < 1'000'000; ++i) deep_map = Value::map({{"k", std::move(deep_map)}});
        deep_map = Value();

        const Value a = nested_list(100'000);
        const Value b = nested_list(100'000);
        QVERIFY(a.identity() != b.identity());
        QVERIFY(a == b);
        QCOMPARE(a.hash(), b.hash());
        QVERIFY(a != nested_list(99'999));
        QCOMPARE(a.to_string(), std::string(100'000, '[') + "null" + std::string(100'000, ']'));
    }

    void deepValueSharedByTwoOwners() {
        Value deep = nested_list(200'000);
        Value other = deep[0];
        deep = Value();  // frees only the outermost level
        QCOMPARE(other.size(), std::size_t(1));
        other = Value();
    }

    void capabilitiesAreUniqueAndNeverZero() {
        constexpr int kThreads = 4;
        constexpr int kEach = 50'000;
        std::vector<std::vector<std::uint64_t>> ids(kThreads);
        std::vector<std::thread> threads;
        for (int t = 0; t < kThreads; ++t) {
            threads.emplace_back([&ids, t] {
                for (int i = 0; i < kEach; ++i) ids[t].push_back(Capability().id());
            });
        }
        for (auto& thread : threads) thread.join();
        std::unordered_set<std::uint64_t> seen;
        for (const auto& list : ids) seen.insert(list.begin(), list.end());
        QCOMPARE(seen.size(), std::size_t(kThreads * kEach));
        QVERIFY(!seen.contains(0));
        // Consecutive ids do not look like a counter.
        const Capability first;
        const Capability second;
        QVERIFY(first != second);
        QVERIFY(second.id() - first.id() != 1);
        QCOMPARE(Capability::from_id(first.id()), first);
    }
};

QTEST_APPLESS_MAIN(TestValue)
#include "tst_value.moc"

// iso::Value's binary encoding: exact bytes, round trips, and decoding of
// untrusted input (truncated, oversized, too deep, overlong, random).

#include "support.h"

#include <iso/value.h>

#include <QtTest>

#include <cmath>
#include <limits>
#include <random>

using namespace iso;
using test::kInf;
using test::kNaN;
using test::transferable;


namespace {

Bytes from_hex(const QByteArray& hex) {
    const QByteArray data = QByteArray::fromHex(hex);
    return Bytes(data.begin(), data.end());
}

QByteArray to_hex(const Bytes& bytes) {
    return QByteArray(reinterpret_cast<const char*>(bytes.data()), qsizetype(bytes.size())).toHex(' ');
}

Value nested_list(std::size_t depth) {
    Value v;
    for (std::size_t i = 0; i < depth; ++i) v = Value(List{std::move(v)});
    return v;
}

// `depth` lists inside each other, the innermost empty.
Value nested_empty(std::size_t depth) {
    Value v = Value::list({});
    for (std::size_t i = 1; i < depth; ++i) v = Value(List{std::move(v)});
    return v;
}

// Transferables equal only themselves, so round trips compare their bytes.
bool same_content(const Value& a, const Value& b) {
    if (a.is_transferable() && b.is_transferable())
        return a.transferable_size() == b.transferable_size() &&
               std::equal(a.transferable_data(), a.transferable_data() + a.transferable_size(), b.transferable_data());
    return a == b;
}

// A value with every kind in it, nested.
Value everything() {
    Map many;
    for (int i = 0; i < 20; ++i) many.emplace_back("key" + std::to_string(i), i * 1000);
    return Value::map({
        {"null", nullptr},
        {"bools", Value::list({true, false})},
        {"ints", Value::list({0, -1, 300, std::numeric_limits<long long>::min(), std::numeric_limits<long long>::max()})},
        {"doubles", Value::list({2.5, -0.0, std::numeric_limits<double>::quiet_NaN(),
                                 std::numeric_limits<double>::infinity()})},
        {"text", "h\xc3\xa9llo"},
        {"bytes", Value::bytes(Bytes{0, 255, 7})},
        {"empty", Value::list({Value::list({}), Value::map({}), "", Value::bytes(Bytes{})})},
        {"port", Value(SendPort(2, 1u << 20))},
        {"capability", Value(Capability::from_id(0x0102030405060708ull))},
        {"many", Value(std::move(many))},
    });
}

} // namespace

class TestValueBinary : public QObject {
    Q_OBJECT

private slots:
    void exactBytes_data() {
        QTest::addColumn<Value>("value");
        QTest::addColumn<QByteArray>("hex");
        // The first byte is the format version; then one tag byte per value.
        QTest::addRow("null") << Value() << QByteArray("01 00");
        QTest::addRow("false") << Value(false) << QByteArray("01 01");
        QTest::addRow("true") << Value(true) << QByteArray("01 02");
        QTest::addRow("int 0") << Value(0) << QByteArray("01 03 00");
        QTest::addRow("int -1 (zigzag)") << Value(-1) << QByteArray("01 03 01");
        QTest::addRow("int 1 (zigzag)") << Value(1) << QByteArray("01 03 02");
        QTest::addRow("int 64 needs two bytes") << Value(64) << QByteArray("01 03 80 01");
        QTest::addRow("int64 min") << Value(std::numeric_limits<long long>::min())
                                   << QByteArray("01 03 ff ff ff ff ff ff ff ff ff 01");
        QTest::addRow("double 1.0 little-endian") << Value(1.0) << QByteArray("01 04 00 00 00 00 00 00 f0 3f");
        QTest::addRow("string") << Value("hi") << QByteArray("01 05 02 68 69");
        QTest::addRow("bytes") << Value::bytes(Bytes{1, 2}) << QByteArray("01 06 02 01 02");
        QTest::addRow("list") << Value::list({1, nullptr}) << QByteArray("01 07 02 03 02 00");
        QTest::addRow("empty list") << Value::list({}) << QByteArray("01 07 00");
        QTest::addRow("map") << Value::map({{"a", true}}) << QByteArray("01 08 01 01 61 02");
        QTest::addRow("empty map") << Value::map({}) << QByteArray("01 08 00");
        QTest::addRow("port") << Value(SendPort(1, 300)) << QByteArray("01 09 01 ac 02");
        QTest::addRow("capability") << Value(Capability::from_id(0x0102030405060708ull))
                                    << QByteArray("01 0a 08 07 06 05 04 03 02 01");
        QTest::addRow("transferable") << transferable(Bytes{9}) << QByteArray("01 0b 01 09");
    }

    void exactBytes() {
        QFETCH(Value, value);
        QFETCH(QByteArray, hex);
        QCOMPARE(to_hex(value.encode()), hex);
        auto back = Value::decode(from_hex(hex));
        QVERIFY2(back.has_value(), back.has_value() ? "" : back.error().message().c_str());
        QVERIFY(same_content(*back, value));
    }

    void roundTrip_data() {
        QTest::addColumn<Value>("value");
        QTest::addRow("everything") << everything();
        QTest::addRow("scalar") << Value(42);
        QTest::addRow("invalid UTF-8 is kept") << Value::map({{"\xff\xfe", "a\x80\xed\xa0\x80"}});
        QTest::addRow("NUL in strings") << Value::list({std::string("a\0b", 3)});
        QTest::addRow("ports at the limits") << Value::list({Value(SendPort()), Value(SendPort(~0ull, ~0ull))});
        QTest::addRow("512 levels") << nested_list(512);
        QTest::addRow("512 levels ending empty") << nested_empty(512);
        QTest::addRow("large list") << Value(List(10000, Value("x")));
        QTest::addRow("transferable") << transferable(Bytes(1000, 3));
    }

    void roundTrip() {
        QFETCH(Value, value);
        const Bytes encoded = value.encode();
        auto back = Value::decode(encoded);
        QVERIFY2(back.has_value(), back.has_value() ? "" : back.error().message().c_str());
        QVERIFY(same_content(*back, value));
        QCOMPARE(back->encode(), encoded);  // one encoding per value
    }

    void doublesKeepTheirBits() {
        const double payload_nan = std::bit_cast<double>(0x7ff8000000000123ull);
        for (double d : {-0.0, payload_nan, -std::numeric_limits<double>::infinity(), 5e-324}) {
            auto back = Value::decode(Value(d).encode());
            QVERIFY(back.has_value());
            QCOMPARE(std::bit_cast<std::uint64_t>(back->as_double()), std::bit_cast<std::uint64_t>(d));
        }
    }

    void sendPortDecodesAsAnAddress() {
        auto back = Value::decode(Value(SendPort(7, 9)).encode());
        QVERIFY(back.has_value());
        QCOMPARE(back->as_send_port(), SendPort(7, 9));
        QVERIFY(back->as_send_port().valid());
    }

    void transferableIsCopiedOnTheWire() {
        const Value original = transferable(Bytes{1, 2, 3});
        auto back = Value::decode(original.encode());
        QVERIFY(back.has_value());
        QVERIFY(back->transferable_data() != original.transferable_data());
        QCOMPARE(back->materialize(), (Bytes{1, 2, 3}));
        // Encoding read the bytes but did not take them.
        QCOMPARE(original.materialize(), (Bytes{1, 2, 3}));
        QCOMPARE(to_hex(original.encode()), QByteArray("01 0b 00"));
    }

    void encodeToAppends() {
        Bytes out{0xaa, 0xbb};
        const Value v = Value::list({1, "two"});
        v.encode_to(out);
        QCOMPARE(out.size(), 2 + v.encode().size());
        QCOMPARE(Bytes(out.begin(), out.begin() + 2), (Bytes{0xaa, 0xbb}));
        QCOMPARE(Bytes(out.begin() + 2, out.end()), v.encode());
    }

    void decodeErrors_data() {
        QTest::addColumn<QByteArray>("hex");
        QTest::addColumn<int>("position");
        QTest::addColumn<QString>("reason");
        QTest::addRow("empty") << QByteArray("") << 0 << "empty input";
        QTest::addRow("other version") << QByteArray("02 00") << 0 << "unsupported format version 2 (expected 1)";
        QTest::addRow("version only") << QByteArray("01") << 1 << "truncated: a value is missing";
        QTest::addRow("unknown tag") << QByteArray("01 0c") << 1 << "unknown tag 0x0c";
        QTest::addRow("unknown high tag") << QByteArray("01 07 01 ff") << 3 << "unknown tag 0xff";
        QTest::addRow("trailing byte") << QByteArray("01 00 00") << 2 << "1 trailing bytes after the value";
        QTest::addRow("trailing bytes") << QByteArray("01 07 00 05 05") << 3 << "2 trailing bytes after the value";
        QTest::addRow("int missing") << QByteArray("01 03") << 2 << "truncated varint (int)";
        QTest::addRow("int cut") << QByteArray("01 03 80") << 2 << "truncated varint (int)";
        QTest::addRow("overlong zero") << QByteArray("01 03 80 00") << 2 << "overlong varint";
        QTest::addRow("overlong one") << QByteArray("01 03 81 80 80 00") << 2 << "overlong varint";
        QTest::addRow("varint past 64 bits") << QByteArray("01 03 ff ff ff ff ff ff ff ff ff 02") << 2
                                             << "varint overflows 64 bits (int)";
        QTest::addRow("eleven-byte varint") << QByteArray("01 03 80 80 80 80 80 80 80 80 80 81 00") << 2
                                            << "varint overflows 64 bits";
        QTest::addRow("double cut") << QByteArray("01 04 00 00 00") << 2 << "truncated double: needs 8 bytes, 3 left";
        QTest::addRow("capability cut") << QByteArray("01 0a 01 02") << 2 << "truncated capability";
        QTest::addRow("string longer than input") << QByteArray("01 05 05 61 62") << 2
                                                  << "string length 5 exceeds the 2 bytes left";
        QTest::addRow("string length 2^63") << QByteArray("01 05 80 80 80 80 80 80 80 80 80 01") << 2
                                            << "string length 9223372036854775808 exceeds the 0 bytes left";
        QTest::addRow("bytes longer than input") << QByteArray("01 06 03 01") << 2 << "bytes length 3 exceeds";
        QTest::addRow("transferable longer than input") << QByteArray("01 0b ff ff ff ff 0f") << 2
                                                        << "transferable length 4294967295 exceeds";
        QTest::addRow("list longer than input") << QByteArray("01 07 05 00 00") << 2
                                                << "list of 5 elements cannot fit in the 2 bytes left";
        QTest::addRow("list of 2^64-1") << QByteArray("01 07 ff ff ff ff ff ff ff ff ff 01") << 2
                                        << "list of 18446744073709551615 elements cannot fit";
        QTest::addRow("map longer than input") << QByteArray("01 08 02 01 61 00") << 2
                                               << "map of 2 entries cannot fit in the 3 bytes left";
        QTest::addRow("list value missing") << QByteArray("01 07 02 00") << 2 << "list of 2 elements cannot fit";
        QTest::addRow("map value missing") << QByteArray("01 08 01 01 61") << 5 << "truncated: a value is missing";
        QTest::addRow("key longer than input") << QByteArray("01 08 01 05 61") << 3 << "key length 5 exceeds the 1 bytes left";
        QTest::addRow("duplicate key") << QByteArray("01 08 02 01 61 00 01 61 02") << 6 << "duplicate map key";
        QTest::addRow("port id missing") << QByteArray("01 09 01") << 3 << "truncated varint (port id)";
        QTest::addRow("port node overlong") << QByteArray("01 09 80 00 01") << 2 << "overlong varint";
        QTest::addRow("error deep inside") << QByteArray("01 07 01 08 01 01 6b 07 02 02 04 00") << 11
                                           << "truncated double";
    }

    void decodeErrors() {
        QFETCH(QByteArray, hex);
        QFETCH(int, position);
        QFETCH(QString, reason);
        auto decoded = Value::decode(from_hex(hex));
        QVERIFY(!decoded.has_value());
        const ParseError& error = decoded.error();
        QVERIFY2(QString::fromStdString(error.reason).contains(reason), error.reason.c_str());
        QCOMPARE(error.position, std::size_t(position));
    }

    void duplicateKeysInLargeMaps() {
        // Past the linear scan, duplicates are found by a set.
        Bytes encoded = Value::map({}).encode();
        encoded.pop_back();
        encoded.push_back(40);
        std::size_t duplicate_at = 0;
        for (int i = 0; i < 40; ++i) {
            const std::string key = std::string("k").append(std::to_string(i == 39 ? 17 : i));
            if (i == 39) duplicate_at = encoded.size();
            encoded.push_back(std::uint8_t(key.size()));
            encoded.insert(encoded.end(), key.begin(), key.end());
            encoded.push_back(0x00);
        }
        auto decoded = Value::decode(encoded);
        QVERIFY(!decoded.has_value());
        QCOMPARE(decoded.error().reason, std::string("duplicate map key"));
        QCOMPARE(decoded.error().position, duplicate_at);
    }

    void everyTruncationFails() {
        const Bytes encoded = everything().encode();
        QVERIFY(encoded.size() > 200);
        for (std::size_t length = 0; length < encoded.size(); ++length) {
            auto decoded = Value::decode(std::span(encoded.data(), length));
            QVERIFY2(!decoded.has_value(), qPrintable(QStringLiteral("prefix of %1 bytes decoded").arg(length)));
            QVERIFY(decoded.error().position <= length);
        }
        Bytes longer = encoded;
        longer.push_back(0);
        auto decoded = Value::decode(longer);
        QVERIFY(!decoded.has_value());
        QCOMPARE(decoded.error().position, encoded.size());
    }

    void nestingLimitIs512() {
        QVERIFY(Value::decode(nested_list(512).encode()).has_value());
        QVERIFY(Value::decode(nested_empty(512).encode()).has_value());

        // Each level is "07 01"; the 513th container starts after 512 of them,
        // and counts even when it is empty.
        for (const Value& too_deep : {nested_list(513), nested_empty(513)}) {
            auto decoded = Value::decode(too_deep.encode());
            QVERIFY(!decoded.has_value());
            QCOMPARE(decoded.error().position, std::size_t(1 + 512 * 2));
            QCOMPARE(decoded.error().reason, std::string("nesting deeper than 512 levels"));
        }
        Value maps = Value::map({});
        for (int i = 0; i < 513; ++i) maps = Value::map({{"k", maps}});
        auto decoded = Value::decode(maps.encode());
        QVERIFY(!decoded.has_value());
        QCOMPARE(decoded.error().position, std::size_t(1 + 512 * 4));  // "08 01 01 6b" per level
    }

    void deepInMemoryValueEncodes() {
        constexpr std::size_t kDepth = 100'000;
        const Bytes encoded = nested_list(kDepth).encode();
        QCOMPARE(encoded.size(), 1 + 2 * kDepth + 1);
        QCOMPARE(encoded[1], std::uint8_t(0x07));
        QCOMPARE(encoded.back(), std::uint8_t(0x00));
        auto decoded = Value::decode(encoded);
        QVERIFY(!decoded.has_value());
        QCOMPARE(decoded.error().position, std::size_t(1 + 512 * 2));
    }

    void randomBytesNeverCrash() {
        std::mt19937 random(20240611);
        int decoded = 0;
        for (int round = 0; round < 20000; ++round) {
            Bytes input(random() % 48);
            for (auto& b : input) b = std::uint8_t(random() % 4 == 0 ? random() : random() % 13);
            if (!input.empty() && random() % 8 != 0) input[0] = 1;  // get past the version byte mostly
            auto result = Value::decode(input);
            if (result.has_value()) {
                ++decoded;
                QCOMPARE(result->encode(), input);  // accepted bytes are the one encoding of their value
            } else {
                QVERIFY(result.error().position <= input.size());
                QVERIFY(!result.error().reason.empty());
            }
        }
        QVERIFY(decoded > 100);  // the inputs reach past the first checks
    }

    void mutatedEncodingsNeverCrash() {
        const Bytes valid = everything().encode();
        std::mt19937 random(7);
        int decoded = 0;
        for (int round = 0; round < 20000; ++round) {
            Bytes input = valid;
            const int changes = 1 + int(random() % 4);
            for (int c = 0; c < changes; ++c) input[1 + random() % (input.size() - 1)] = std::uint8_t(random());
            auto result = Value::decode(input);
            if (result.has_value()) {
                ++decoded;
                QCOMPARE(result->encode(), input);
            } else {
                QVERIFY(result.error().position <= input.size());
            }
        }
        QVERIFY(decoded > 0);
    }
};

QTEST_APPLESS_MAIN(TestValueBinary)
#include "tst_value_binary.moc"

// iso::Value as text: Dart's toString spelling, and JSON out and back in,
// including the tagged kinds, the "$map" escape and malformed input.

#include "support.h"

#include <iso/value.h>

#include <QtTest>

#include <cmath>
#include <limits>

using namespace iso;
using test::kInf;
using test::kNaN;
using test::transferable;


namespace {

Value nested_list(std::size_t depth) {
    Value v;
    for (std::size_t i = 0; i < depth; ++i) v = Value(List{std::move(v)});
    return v;
}

std::string nested_arrays(std::size_t depth) { return std::string(depth, '[') + std::string(depth, ']'); }

std::string nested_objects(std::size_t depth) {
    std::string text;
    for (std::size_t i = 0; i < depth; ++i) text += "{\"a\":";
    text += "1";
    text += std::string(depth, '}');
    return text;
}

QByteArray raw(const std::string& s) { return QByteArray(s.data(), qsizetype(s.size())); }

// Transferables equal only themselves, so round trips compare their bytes.
bool same_content(const Value& a, const Value& b) {
    if (a.is_transferable() && b.is_transferable())
        return a.transferable_size() == b.transferable_size() &&
               std::equal(a.transferable_data(), a.transferable_data() + a.transferable_size(), b.transferable_data());
    return a == b;
}

std::string all_control_characters() {
    std::string s;
    for (char c = 0; c < 0x20; ++c) s += c;
    return s;
}

} // namespace

class TestValueJson : public QObject {
    Q_OBJECT

private slots:
    void toStringSpelling_data() {
        QTest::addColumn<Value>("value");
        QTest::addColumn<QString>("text");
        QTest::addRow("null") << Value() << "null";
        QTest::addRow("true") << Value(true) << "true";
        QTest::addRow("false") << Value(false) << "false";
        QTest::addRow("int") << Value(42) << "42";
        QTest::addRow("negative int") << Value(-7) << "-7";
        QTest::addRow("int64 min") << Value(std::numeric_limits<long long>::min()) << "-9223372036854775808";
        QTest::addRow("double") << Value(2.5) << "2.5";
        QTest::addRow("whole double") << Value(3.0) << "3.0";
        QTest::addRow("string is raw") << Value("say \"hi\"\n") << "say \"hi\"\n";
        QTest::addRow("list") << Value::list({1, 2, 3}) << "[1, 2, 3]";
        QTest::addRow("nested list") << Value::list({1, Value::list({2, "x"}), Value::list({})}) << "[1, [2, x], []]";
        QTest::addRow("map") << Value::map({{"sum", 100}, {"count", 10}}) << "{sum: 100, count: 10}";
        QTest::addRow("nested map") << Value::map({{"a", Value::map({{"b", Value::list({true})}})}, {"c", Value::map({})}})
                                    << "{a: {b: [true]}, c: {}}";
        QTest::addRow("map with $ key") << Value::map({{"$x", 1}}) << "{$x: 1}";
        QTest::addRow("bytes") << Value::bytes(Bytes{1, 2, 255}) << "[1, 2, 255]";
        QTest::addRow("empty bytes") << Value::bytes(Bytes{}) << "[]";
        QTest::addRow("port") << Value(SendPort(3, 42)) << "SendPort(3:42)";
        QTest::addRow("capability") << Value(Capability::from_id(0xdeadbeef)) << "Capability(00000000deadbeef)";
        QTest::addRow("transferable") << transferable(Bytes(5)) << "TransferableTypedData(5 bytes)";
        const Value taken = transferable(Bytes(5));
        (void)taken.materialize();
        QTest::addRow("materialized transferable") << taken << "TransferableTypedData(0 bytes)";
    }

    void toStringSpelling() {
        QFETCH(Value, value);
        QFETCH(QString, text);
        QCOMPARE(QString::fromStdString(value.to_string()), text);
    }

    void dartDoubles_data() {
        QTest::addColumn<double>("value");
        QTest::addColumn<QString>("text");
        QTest::addRow("whole") << 3.0 << "3.0";
        QTest::addRow("fraction") << 2.5 << "2.5";
        QTest::addRow("shortest digits") << 0.1 << "0.1";
        QTest::addRow("sum that is not 0.3") << 0.1 + 0.2 << "0.30000000000000004";
        QTest::addRow("negative") << -1.5 << "-1.5";
        QTest::addRow("zero") << 0.0 << "0.0";
        QTest::addRow("negative zero") << -0.0 << "-0.0";
        QTest::addRow("2^53") << 9007199254740992.0 << "9007199254740992.0";
        QTest::addRow("1e20 still decimal") << 1e20 << "100000000000000000000.0";
        QTest::addRow("below 1e21 with digits") << 1.2345678901234568e20 << "123456789012345680000.0";
        QTest::addRow("1e21 is exponent") << 1e21 << "1e+21";
        QTest::addRow("large") << 1.5e300 << "1.5e+300";
        QTest::addRow("max") << std::numeric_limits<double>::max() << "1.7976931348623157e+308";
        QTest::addRow("1e-6 still decimal") << 1e-6 << "0.000001";
        QTest::addRow("small decimal") << 0.000123 << "0.000123";
        QTest::addRow("1e-7 is exponent") << 1e-7 << "1e-7";
        QTest::addRow("small with digits") << 1.23e-18 << "1.23e-18";
        QTest::addRow("smallest subnormal") << 5e-324 << "5e-324";
        QTest::addRow("NaN") << kNaN << "NaN";
        QTest::addRow("Infinity") << kInf << "Infinity";
        QTest::addRow("-Infinity") << -kInf << "-Infinity";
    }

    void dartDoubles() {
        QFETCH(double, value);
        QFETCH(QString, text);
        QCOMPARE(QString::fromStdString(Value(value).to_string()), text);
        // Finite doubles are written to JSON with the same spelling.
        if (std::isfinite(value)) QCOMPARE(QString::fromStdString(Value(value).to_json()), text);
    }

    void toJson_data() {
        QTest::addColumn<Value>("value");
        QTest::addColumn<QByteArray>("json");
        QTest::addRow("null") << Value() << QByteArray("null");
        QTest::addRow("bools") << Value::list({true, false}) << QByteArray("[true,false]");
        QTest::addRow("int") << Value(-12) << QByteArray("-12");
        QTest::addRow("whole double keeps .0") << Value(3.0) << QByteArray("3.0");
        QTest::addRow("double") << Value(0.25) << QByteArray("0.25");
        QTest::addRow("NaN") << Value(kNaN) << QByteArray(R"({"$double":"NaN"})");
        QTest::addRow("Infinity") << Value(kInf) << QByteArray(R"({"$double":"Infinity"})");
        QTest::addRow("-Infinity") << Value(-kInf) << QByteArray(R"({"$double":"-Infinity"})");
        QTest::addRow("string escapes") << Value("q\"b\\s/\b\f\n\r\t") << QByteArray("\"q\\\"b\\\\s/\\b\\f\\n\\r\\t\"");
        QTest::addRow("other controls") << Value(std::string("\x00\x01\x1f\x7f", 4))
                                        << QByteArray("\"\\u0000\\u0001\\u001f\x7f\"");
        QTest::addRow("UTF-8 passes through") << Value("h\xc3\xa9 \xf0\x9f\x98\x80 \xe2\x80\xa8")
                                              << QByteArray("\"h\xc3\xa9 \xf0\x9f\x98\x80 \xe2\x80\xa8\"");
        QTest::addRow("list") << Value::list({1, "a", Value::list({})}) << QByteArray(R"([1,"a",[]])");
        QTest::addRow("map keeps order") << Value::map({{"z", 1}, {"a", Value::map({})}})
                                         << QByteArray(R"({"z":1,"a":{}})");
        QTest::addRow("key escapes") << Value::map({{"a\"b\n", 1}}) << QByteArray("{\"a\\\"b\\n\":1}");
        QTest::addRow("bytes") << Value::bytes(Bytes{0, 1, 2, 253, 254, 255}) << QByteArray(R"({"$bytes":"AAEC/f7/"})");
        QTest::addRow("bytes, 1 pad") << Value::bytes(Bytes{1, 2}) << QByteArray(R"({"$bytes":"AQI="})");
        QTest::addRow("bytes, 2 pads") << Value::bytes(Bytes{1}) << QByteArray(R"({"$bytes":"AQ=="})");
        QTest::addRow("empty bytes") << Value::bytes(Bytes{}) << QByteArray(R"({"$bytes":""})");
        QTest::addRow("port") << Value(SendPort(3, 18446744073709551615ull))
                              << QByteArray(R"({"$port":"3:18446744073709551615"})");
        QTest::addRow("capability") << Value(Capability::from_id(0x0123456789abcdefull))
                                    << QByteArray(R"({"$capability":"0123456789abcdef"})");
        QTest::addRow("transferable") << transferable(Bytes{1, 2, 3}) << QByteArray(R"({"$transferable":"AQID"})");
        QTest::addRow("$ key in a one-key map") << Value::map({{"$bytes", "AQID"}})
                                                << QByteArray(R"({"$map":{"$bytes":"AQID"}})");
        QTest::addRow("$map key alone") << Value::map({{"$map", 1}}) << QByteArray(R"({"$map":{"$map":1}})");
        QTest::addRow("$ key among others") << Value::map({{"$bytes", 1}, {"b", 2}})
                                            << QByteArray(R"({"$bytes":1,"b":2})");
        QTest::addRow("$ not first") << Value::map({{"x$", 1}}) << QByteArray(R"({"x$":1})");
    }

    void toJson() {
        QFETCH(Value, value);
        QFETCH(QByteArray, json);
        QCOMPARE(raw(value.to_json()), json);
    }

    void invalidUtf8BecomesReplacementCharacters_data() {
        QTest::addColumn<QByteArray>("input");
        QTest::addColumn<QByteArray>("json");
        const QByteArray fffd("\xef\xbf\xbd");
        QTest::addRow("stray continuation") << QByteArray("a\x80z") << "\"a" + fffd + "z\"";
        QTest::addRow("invalid lead byte") << QByteArray("\xff") << "\"" + fffd + "\"";
        QTest::addRow("truncated sequence is one") << QByteArray("a\xe2\x82") << "\"a" + fffd + "\"";
        QTest::addRow("truncated then ASCII") << QByteArray("\xf0\x9f\x98z") << "\"" + fffd + "z\"";
        QTest::addRow("overlong") << QByteArray("\xc0\xaf") << "\"" + fffd + fffd + "\"";
        QTest::addRow("surrogate") << QByteArray("\xed\xa0\x80") << "\"" + fffd + fffd + fffd + "\"";
        QTest::addRow("above U+10FFFF") << QByteArray("\xf4\x90\x80\x80") << "\"" + fffd + fffd + fffd + fffd + "\"";
        QTest::addRow("valid edges") << QByteArray("\xed\x9f\xbf\xf4\x8f\xbf\xbf")
                                     << QByteArray("\"\xed\x9f\xbf\xf4\x8f\xbf\xbf\"");
    }

    void invalidUtf8BecomesReplacementCharacters() {
        QFETCH(QByteArray, input);
        QFETCH(QByteArray, json);
        const Value v(std::string(input.constData(), std::size_t(input.size())));
        QCOMPARE(raw(v.to_json()), json);
        QVERIFY(Value::from_json(v.to_json()).has_value());
    }

    void indentedJson() {
        const Value v = Value::map({{"name", "w1"},
                                    {"tags", Value::list({1, Value::list({}), Value::map({})})},
                                    {"escaped", Value::map({{"$x", 2.0}})},
                                    {"data", Value::bytes(Bytes{1})}});
        const std::string expected = R"({
  "name": "w1",
  "tags": [
    1,
    [],
    {}
  ],
  "escaped": {
    "$map": {
      "$x": 2.0
    }
  },
  "data": {"$bytes": "AQ=="}
})";
        QCOMPARE(raw(v.to_json(2)), raw(expected));
        QCOMPARE(raw(Value::list({1, 2}).to_json(0)), QByteArray("[\n1,\n2\n]"));
        QCOMPARE(raw(v.to_json(-5)), raw(v.to_json()));
    }

    void roundTrip_data() {
        QTest::addColumn<Value>("value");
        QTest::addRow("null") << Value();
        QTest::addRow("bools") << Value::list({true, false});
        QTest::addRow("int extremes") << Value::list({std::numeric_limits<long long>::min(),
                                                      std::numeric_limits<long long>::max(), 0, -1});
        QTest::addRow("doubles") << Value::list({0.1, -2.5, 1e21, 1e-7, 5e-324, std::numeric_limits<double>::max(),
                                                 3.0, 1.2345678901234568e20, -0.0});
        QTest::addRow("non-finite doubles") << Value::list({kNaN, kInf, -kInf});
        QTest::addRow("strings") << Value::list({"", "plain", all_control_characters(), "\"\\/",
                                                 "h\xc3\xa9 \xf0\x9f\x98\x80 \xe2\x80\xa8 \x7f"});
        QTest::addRow("bytes") << Value::list({Value::bytes(Bytes{}), Value::bytes(Bytes{0}), Value::bytes(Bytes{0, 1}),
                                               Value::bytes(Bytes{0, 1, 2}), Value::bytes(Bytes{255, 254, 253, 252})});
        QTest::addRow("ports") << Value::list({Value(SendPort()), Value(SendPort(18446744073709551615ull, 1))});
        QTest::addRow("capabilities") << Value::list({Value(Capability::from_id(0)), Value(Capability()),
                                                      Value(Capability::from_id(~0ull))});
        QTest::addRow("transferable") << transferable(Bytes{9, 8, 7});
        QTest::addRow("empty transferable") << transferable(Bytes{});
        QTest::addRow("nested") << Value::map({{"a", Value::list({1, Value::map({{"b", Value::list({})}})})},
                                               {"empty", Value::map({})}});
        Map many;
        for (int i = 0; i < 50; ++i) many.emplace_back(std::string("k").append(std::to_string(i)), i);
        QTest::addRow("large map") << Value(std::move(many));
        QTest::addRow("one $ key") << Value::map({{"$bytes", "not base64!"}});
        QTest::addRow("one unknown $ key") << Value::map({{"$whatever", Value::list({1})}});
        QTest::addRow("$map key alone") << Value::map({{"$map", Value::map({{"x", 1}})}});
        QTest::addRow("$map key among others") << Value::map({{"$map", Value::bytes(Bytes{0})}, {"b", 1}});
        QTest::addRow("$map holding a $ map") << Value::map({{"$map", Value::map({{"$bytes", "AA=="}})}});
        QTest::addRow("$map holding a tag") << Value::map({{"$map", Value(SendPort(1, 2))}});
        QTest::addRow("escapes three deep")
            << Value::map({{"$map", Value::map({{"$map", Value::map({{"$map", Value::map({})}})}})}});
        QTest::addRow("$ keys in a list") << Value::list({Value::map({{"$double", "NaN"}}), Value(kNaN)});
        QTest::addRow("512 levels") << nested_list(512);
    }

    void roundTrip() {
        QFETCH(Value, value);
        for (int indent : {-1, 0, 2}) {
            const std::string json = value.to_json(indent);
            auto back = Value::from_json(json);
            QVERIFY2(back.has_value(), back.has_value() ? "" : back.error().message().c_str());
            QVERIFY2(same_content(*back, value), json.c_str());
            QCOMPARE(back->to_json(indent), json);
        }
    }

    void roundTripKeepsSignOfZero() {
        auto back = Value::from_json(Value(-0.0).to_json());
        QVERIFY(back.has_value());
        QVERIFY(back->is_double());
        QVERIFY(std::signbit(back->as_double()));
    }

    void fromJson_data() {
        QTest::addColumn<QByteArray>("json");
        QTest::addColumn<Value>("value");
        QTest::addRow("int") << QByteArray("1") << Value(1);
        QTest::addRow("double with point") << QByteArray("1.0") << Value(1.0);
        QTest::addRow("double with exponent") << QByteArray("1e2") << Value(100.0);
        QTest::addRow("negative zero int") << QByteArray("-0") << Value(0);
        QTest::addRow("int64 max") << QByteArray("9223372036854775807") << Value(std::numeric_limits<long long>::max());
        QTest::addRow("int64 min") << QByteArray("-9223372036854775808")
                                   << Value(std::numeric_limits<long long>::min());
        QTest::addRow("whitespace") << QByteArray(" \t\r\n[ 1 , {\"a\" : null} ]\n") << Value::list({1, Value::map({{"a", nullptr}})});
        QTest::addRow("unicode escapes") << QByteArray(R"("\u00e9\ud83d\ude00\u0000")")
                                         << Value(std::string("\xc3\xa9\xf0\x9f\x98\x80\0", 7));
        QTest::addRow("repeated key: last value, first place")
            << QByteArray(R"({"a":1,"b":2,"a":3})") << Value::map({{"a", 3}, {"b", 2}});
        QTest::addRow("$ key among others is plain") << QByteArray(R"({"$bytes":"AA==","x":1})")
                                                     << Value::map({{"$bytes", "AA=="}, {"x", 1}});
        QTest::addRow("$ key second") << QByteArray(R"({"x":1,"$port":5})") << Value::map({{"x", 1}, {"$port", 5}});
        QTest::addRow("repeated tag key is plain") << QByteArray(R"({"$bytes":"AA==","$bytes":"AQ=="})")
                                                   << Value::map({{"$bytes", "AQ=="}});
        QTest::addRow("$map empty") << QByteArray(R"({"$map":{}})") << Value::map({});
        QTest::addRow("$map literal unknown tag") << QByteArray(R"({"$map":{"$foo":[1]}})")
                                                  << Value::map({{"$foo", Value::list({1})}});
        QTest::addRow("$map values still read as tags") << QByteArray(R"({"$map":{"$b":{"$bytes":"AQ=="}}})")
                                                        << Value::map({{"$b", Value::bytes(Bytes{1})}});
        QTest::addRow("$map key then another") << QByteArray(R"({"$map":{"$bytes":"AQ=="},"b":1})")
                                               << Value::map({{"$map", Value::bytes(Bytes{1})}, {"b", 1}});
        QTest::addRow("$map in $map, then another")
            << QByteArray(R"({"$map":{"$map":{"$bytes":"AA=="}},"x":1})")
            << Value::map({{"$map", Value::map({{"$bytes", "AA=="}})}, {"x", 1}});
        QTest::addRow("$map repeated") << QByteArray(R"({"$map":1,"$map":{"x":2}})")
                                       << Value::map({{"$map", Value::map({{"x", 2}})}});
        QTest::addRow("escape inside a literal map")
            << QByteArray(R"({"$map":{"$map":{"$map":{"$bytes":"!"}}}})")
            << Value::map({{"$map", Value::map({{"$bytes", "!"}})}});
        QTest::addRow("port") << QByteArray(R"({"$port":"007:0"})") << Value(SendPort(7, 0));
        QTest::addRow("capability upper case") << QByteArray(R"({"$capability":"00000000DEADBEEF"})")
                                               << Value(Capability::from_id(0xdeadbeef));
        QTest::addRow("doubles") << QByteArray(R"([{"$double":"Infinity"},{"$double":"-Infinity"}])")
                                 << Value::list({kInf, -kInf});
    }

    void fromJson() {
        QFETCH(QByteArray, json);
        QFETCH(Value, value);
        auto parsed = Value::from_json(std::string_view(json.constData(), std::size_t(json.size())));
        QVERIFY2(parsed.has_value(), parsed.has_value() ? "" : parsed.error().message().c_str());
        QCOMPARE(*parsed, value);
        // Order matters to the reader even though equality ignores it.
        QCOMPARE(parsed->to_json(), value.to_json());
    }

    void fromJsonTransferable() {
        auto parsed = Value::from_json(R"({"$transferable":"AQID"})");
        QVERIFY(parsed.has_value());
        QVERIFY(parsed->is_transferable());
        QCOMPARE(parsed->materialize(), (Bytes{1, 2, 3}));
    }

    void errors_data() {
        QTest::addColumn<QByteArray>("json");
        QTest::addColumn<int>("position");
        QTest::addColumn<QString>("reason");
        // Syntax errors point at the last byte the parser read; errors about
        // content point at the start of the offending element.
        QTest::addRow("empty") << QByteArray("") << 0 << "unexpected end of input";
        QTest::addRow("only space") << QByteArray("   ") << 3 << "unexpected end of input";
        QTest::addRow("bad literal") << QByteArray("tru,") << 3 << "invalid literal";
        QTest::addRow("missing comma") << QByteArray("[1 2]") << 3 << "unexpected number literal";
        QTest::addRow("unterminated array") << QByteArray("[1,") << 3 << "unexpected end of input";
        QTest::addRow("trailing comma") << QByteArray(R"({"a":1,})") << 7 << "expected string literal";
        QTest::addRow("missing colon") << QByteArray(R"({"a" 1})") << 5 << "expected ':'";
        QTest::addRow("single quotes") << QByteArray("['a']") << 1 << "invalid literal";
        QTest::addRow("trailing text") << QByteArray("[1] x") << 4 << "expected end of input";
        QTest::addRow("invalid UTF-8") << QByteArray("\"\xff\"") << 1 << "ill-formed UTF-8";
        QTest::addRow("raw control character") << QByteArray("\"a\nb\"") << 2 << "control character";
        QTest::addRow("lone surrogate escape") << QByteArray(R"("\ud800")") << 7 << "surrogate";
        QTest::addRow("int above int64") << QByteArray("9223372036854775808") << 0 << "outside the int64 range";
        QTest::addRow("int above uint64") << QByteArray("[18446744073709551616]") << 1 << "outside the int64 range";
        QTest::addRow("int below int64") << QByteArray("[1, -9223372036854775809 ]") << 4 << "outside the int64 range";
        QTest::addRow("double overflow") << QByteArray("1e400") << 4 << "number overflow";
        QTest::addRow("unknown tag") << QByteArray(R"( {"$foo":1})") << 2 << "unknown tag \"$foo\"";
        QTest::addRow("unknown tag, nested") << QByteArray(R"([1, {"a": {  "$x" : null}}])") << 13
                                             << "unknown tag \"$x\"";
        QTest::addRow("bytes: not base64") << QByteArray(R"({"$bytes":"AA*="})") << 10 << "\"$bytes\" needs a base64 string";
        QTest::addRow("bytes: no padding") << QByteArray(R"({"$bytes": "AAE"})") << 11 << "base64";
        QTest::addRow("bytes: padding inside") << QByteArray(R"({"$bytes":"AA==AAAA"})") << 10 << "base64";
        QTest::addRow("bytes: stray bits") << QByteArray(R"({"$bytes":"AB=="})") << 10 << "base64";
        QTest::addRow("bytes: not a string") << QByteArray(R"({"$bytes":[1]})") << 10 << "base64";
        QTest::addRow("transferable: not base64") << QByteArray(R"({"$transferable":"@"})") << 17
                                                  << "\"$transferable\" needs a base64 string";
        QTest::addRow("port: negative") << QByteArray(R"({"$port":"1:-2"})") << 9 << "\"$port\" needs";
        QTest::addRow("port: one number") << QByteArray(R"({"$port":"12"})") << 9 << "\"$port\" needs";
        QTest::addRow("port: three numbers") << QByteArray(R"({"$port":"1:2:3"})") << 9 << "\"$port\" needs";
        QTest::addRow("port: empty id") << QByteArray(R"({"$port":"1:"})") << 9 << "\"$port\" needs";
        QTest::addRow("port: overflow") << QByteArray(R"({"$port":"18446744073709551616:1"})") << 9 << "\"$port\" needs";
        QTest::addRow("port: number") << QByteArray(R"({"$port":12})") << 9 << "\"$port\" needs";
        QTest::addRow("capability: short") << QByteArray(R"({"$capability":"ff"})") << 15 << "16 hex digits";
        QTest::addRow("capability: not hex") << QByteArray(R"({"$capability":"000000000000000g"})") << 15
                                             << "16 hex digits";
        QTest::addRow("double: wrong case") << QByteArray(R"({"$double":"nan"})") << 11 << "\"$double\" needs";
        QTest::addRow("double: finite") << QByteArray(R"({"$double":"1.5"})") << 11 << "\"$double\" needs";
        QTest::addRow("$map: number") << QByteArray(R"({"$map":5})") << 8 << "\"$map\" needs an object";
        QTest::addRow("$map: array") << QByteArray(R"({"$map": []})") << 9 << "\"$map\" needs an object";
        // The value of "$map" is read normally once a second key shows the
        // object is a plain map, so its tag error counts after all.
        QTest::addRow("$map key then another") << QByteArray(R"({"$map":{"$foo":1},"b":2})") << 9
                                               << "unknown tag \"$foo\"";
        QTest::addRow("error inside a literal map") << QByteArray(R"([{"$map":{"$map":{"$foo":1}}}])") << 18
                                                    << "unknown tag \"$foo\"";
        QTest::addRow("error in the first value of a literal map")
            << QByteArray(R"({"$map":{"$map":{"$bytes":"!"}}})") << 26 << "\"$bytes\" needs";
        QTest::addRow("$map repeated: values read normally") << QByteArray(R"({"$map":1,"$map":{"$x":2}})") << 18
                                                             << "unknown tag \"$x\"";
        QTest::addRow("513 arrays") << raw(nested_arrays(513)) << 512 << "nesting deeper than 512 levels";
        QTest::addRow("513 objects") << raw(nested_objects(513)) << 512 * 5 << "nesting deeper than 512 levels";
    }

    void errors() {
        QFETCH(QByteArray, json);
        QFETCH(int, position);
        QFETCH(QString, reason);
        auto parsed = Value::from_json(std::string_view(json.constData(), std::size_t(json.size())));
        QVERIFY(!parsed.has_value());
        const ParseError& error = parsed.error();
        QVERIFY2(QString::fromStdString(error.reason).contains(reason), error.reason.c_str());
        QCOMPARE(error.position, std::size_t(position));
        QCOMPARE(error.message(), "at byte " + std::to_string(position) + ": " + error.reason);
    }

    void nestingLimitIs512() {
        auto arrays = Value::from_json(nested_arrays(512));
        QVERIFY(arrays.has_value());
        Value expected = Value::list({});
        for (int i = 1; i < 512; ++i) expected = Value(List{expected});
        QCOMPARE(*arrays, expected);
        auto objects = Value::from_json(nested_objects(512));
        QVERIFY(objects.has_value());
        QCOMPARE(objects->to_json(), nested_objects(512));
    }

    void deepInMemoryValueWritesJson() {
        constexpr std::size_t kDepth = 100'000;
        const Value deep = nested_list(kDepth);
        const std::string json = deep.to_json();
        QCOMPARE(json, std::string(kDepth, '[') + "null" + std::string(kDepth, ']'));
        // Indented output grows with the square of the depth, so it is checked shallower.
        constexpr std::size_t kIndentedDepth = 3000;
        std::string indented;
        for (std::size_t i = 0; i < kIndentedDepth; ++i) indented.append("[\n").append(i + 1, ' ');
        indented += "null";
        for (std::size_t i = kIndentedDepth; i-- > 0;) indented.append("\n").append(i, ' ').append("]");
        QCOMPARE(nested_list(kIndentedDepth).to_json(1), indented);
        // Reading it back stops at the limit instead of exhausting the stack.
        auto back = Value::from_json(json);
        QVERIFY(!back.has_value());
        QCOMPARE(back.error().position, std::size_t(512));

        Value deep_map = Value::map({});
        for (std::size_t i = 0; i < kDepth; ++i) deep_map = Value::map({{"$k", std::move(deep_map)}});
        const std::string escaped = deep_map.to_json();
        QVERIFY(escaped.starts_with(R"({"$map":{"$k":{"$map":{"$k":)"));
        QCOMPARE(escaped.size(), kDepth * std::string_view(R"({"$map":{"$k":}})").size() + 2);
    }

    void parseErrorMessage() {
        QCOMPARE(ParseError({12, "expected ':' after an object key"}).message(),
                 std::string("at byte 12: expected ':' after an object key"));
    }
};

QTEST_APPLESS_MAIN(TestValueJson)
#include "tst_value_json.moc"

package org.medv.eval.io;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Iterator;
import java.util.Map;

/**
 * Python 3's {@code repr()} of a value as {@code json.loads} returns it: what the conversation benchmark's review
 * prompt prints for {@code in_text_mention} (an f-string of the list, reference notes §6.2). Dicts keep the file's
 * key order; strings follow CPython's {@code unicode_repr} (single quotes unless the text has a single quote and no
 * double quote; backslash, newline, carriage return and tab escaped; other non-printable characters as x, u or U
 * hex escapes); JSON numbers with {@code .}, {@code e} or {@code E} are floats (shortest round-trip digits, exponent
 * form outside 1e-4 <= |x| < 1e16), the others ints.
 */
public final class PythonRepr {

    private PythonRepr() {
    }

    public static String of(JsonElement value) {
        StringBuilder out = new StringBuilder();
        append(out, value);
        return out.toString();
    }

    private static void append(StringBuilder out, JsonElement value) {
        if (value == null || value.isJsonNull()) {
            out.append("None");
        } else if (value.isJsonArray()) {
            appendList(out, value.getAsJsonArray());
        } else if (value.isJsonObject()) {
            appendDict(out, value.getAsJsonObject());
        } else {
            JsonPrimitive p = value.getAsJsonPrimitive();
            if (p.isBoolean()) {
                out.append(p.getAsBoolean() ? "True" : "False");
            } else if (p.isNumber()) {
                out.append(number(p.getAsString()));
            } else {
                out.append(string(p.getAsString()));
            }
        }
    }

    private static void appendList(StringBuilder out, JsonArray list) {
        out.append('[');
        for (int i = 0; i < list.size(); i++) {
            if (i > 0) {
                out.append(", ");
            }
            append(out, list.get(i));
        }
        out.append(']');
    }

    private static void appendDict(StringBuilder out, JsonObject dict) {
        out.append('{');
        Iterator<Map.Entry<String, JsonElement>> it = dict.entrySet().iterator();
        while (it.hasNext()) {
            Map.Entry<String, JsonElement> e = it.next();
            out.append(string(e.getKey())).append(": ");
            append(out, e.getValue());
            if (it.hasNext()) {
                out.append(", ");
            }
        }
        out.append('}');
    }

    /** CPython's {@code unicode_repr}. */
    static String string(String s) {
        char quote = s.indexOf('\'') >= 0 && s.indexOf('"') < 0 ? '"' : '\'';
        StringBuilder out = new StringBuilder(s.length() + 2).append(quote);
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            i += Character.charCount(cp);
            if (cp == quote || cp == '\\') {
                out.append('\\').appendCodePoint(cp);
            } else if (cp == '\t') {
                out.append("\\t");
            } else if (cp == '\n') {
                out.append("\\n");
            } else if (cp == '\r') {
                out.append("\\r");
            } else if (cp < ' ' || cp == 0x7f) {
                out.append(String.format("\\x%02x", cp));
            } else if (cp < 0x7f || isPrintable(cp)) {
                out.appendCodePoint(cp);
            } else if (cp <= 0xff) {
                out.append(String.format("\\x%02x", cp));
            } else if (cp <= 0xffff) {
                out.append(String.format("\\u%04x", cp));
            } else {
                out.append(String.format("\\U%08x", cp));
            }
        }
        return out.append(quote).toString();
    }

    /** {@code str.isprintable()} for one non-ASCII code point: not in categories C* or Z*. */
    private static boolean isPrintable(int cp) {
        return switch (Character.getType(cp)) {
            case Character.CONTROL, Character.FORMAT, Character.SURROGATE, Character.PRIVATE_USE,
                 Character.UNASSIGNED, Character.LINE_SEPARATOR, Character.PARAGRAPH_SEPARATOR,
                 Character.SPACE_SEPARATOR -> false;
            default -> true;
        };
    }

    /** A JSON number's text as Python prints the int or float {@code json.loads} makes of it. */
    static String number(String json) {
        if (json.indexOf('.') < 0 && json.indexOf('e') < 0 && json.indexOf('E') < 0) {
            return new BigInteger(json).toString();
        }
        double d = Double.parseDouble(json);
        if (Double.isInfinite(d)) {
            return d > 0 ? "inf" : "-inf";
        }
        if (d == 0) {
            return 1 / d < 0 ? "-0.0" : "0.0";
        }
        // shortest round-trip digits (Double.toString; JDK 17 can emit one digit too many in rare cases)
        BigDecimal shortest = new BigDecimal(Double.toString(d)).stripTrailingZeros();
        String digits = shortest.unscaledValue().abs().toString();
        int decpt = digits.length() - shortest.scale(); // value = 0.digits x 10^decpt
        String sign = d < 0 ? "-" : "";
        if (decpt > 16 || decpt <= -4) {
            String mantissa = digits.length() == 1 ? digits : digits.charAt(0) + "." + digits.substring(1);
            int exp = decpt - 1;
            return sign + mantissa + "e" + (exp < 0 ? "-" : "+") + String.format("%02d", Math.abs(exp));
        }
        if (decpt <= 0) {
            return sign + "0." + "0".repeat(-decpt) + digits;
        }
        if (decpt >= digits.length()) {
            return sign + digits + "0".repeat(decpt - digits.length()) + ".0";
        }
        return sign + digits.substring(0, decpt) + "." + digits.substring(decpt);
    }
}

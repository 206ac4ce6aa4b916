package nemesis.run;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A minimal JSON writer for results: maps keep their insertion order and numbers are printed the
 * same way every time, so identical runs give byte-identical files.
 */
public final class Json {
    private Json() {
    }

    public static String write(Object value) {
        StringBuilder out = new StringBuilder(4096);
        write(out, value, 0);
        out.append('\n');
        return out.toString();
    }

    private static void write(StringBuilder out, Object v, int indent) {
        switch (v) {
            case null -> out.append("null");
            case String s -> string(out, s);
            case Boolean b -> out.append(b);
            case Double d -> number(out, d);
            case Float f -> number(out, f.doubleValue());
            case Number n -> out.append(n.longValue());
            case Map<?, ?> m -> {
                if (m.isEmpty()) {
                    out.append("{}");
                    return;
                }
                out.append("{\n");
                int i = 0;
                for (Map.Entry<?, ?> e : m.entrySet()) {
                    pad(out, indent + 1);
                    string(out, String.valueOf(e.getKey()));
                    out.append(": ");
                    write(out, e.getValue(), indent + 1);
                    out.append(++i < m.size() ? ",\n" : "\n");
                }
                pad(out, indent);
                out.append('}');
            }
            case List<?> l -> {
                boolean flat = l.stream().allMatch(x -> x instanceof Number || x instanceof List<?> inner
                        && inner.stream().allMatch(Number.class::isInstance));
                if (flat) {
                    out.append('[');
                    for (int i = 0; i < l.size(); i++) {
                        if (i > 0) {
                            out.append(", ");
                        }
                        write(out, l.get(i), indent);
                    }
                    out.append(']');
                    return;
                }
                out.append("[\n");
                for (int i = 0; i < l.size(); i++) {
                    pad(out, indent + 1);
                    write(out, l.get(i), indent + 1);
                    out.append(i + 1 < l.size() ? ",\n" : "\n");
                }
                pad(out, indent);
                out.append(']');
            }
            default -> throw new IllegalArgumentException("not JSON: " + v.getClass());
        }
    }

    /** Doubles with at most 6 decimals, no exponent, no trailing zeros (but always a decimal point). */
    private static void number(StringBuilder out, double d) {
        if (!Double.isFinite(d)) {
            out.append("null");
            return;
        }
        String s = String.format(Locale.ROOT, "%.6f", d);
        int end = s.length();
        while (s.charAt(end - 1) == '0' && s.charAt(end - 2) != '.') {
            end--;
        }
        out.append(s, 0, end);
    }

    private static void string(StringBuilder out, String s) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }

    private static void pad(StringBuilder out, int indent) {
        out.append("  ".repeat(indent));
    }
}

package nemesis.kernel;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/** Figures a program reports about itself, in the order it first set them. */
public final class DomainStats {
    private final Map<String, Number> values = new LinkedHashMap<>();

    public void set(String key, long value) {
        values.put(key, value);
    }

    public void set(String key, double value) {
        values.put(key, value);
    }

    public void add(String key, long delta) {
        values.merge(key, delta, (a, b) -> a.longValue() + b.longValue());
    }

    public void max(String key, long value) {
        values.merge(key, value, (a, b) -> Math.max(a.longValue(), b.longValue()));
    }

    public long getLong(String key) {
        Number n = values.get(key);
        return n == null ? 0 : n.longValue();
    }

    public Map<String, Number> values() {
        return Collections.unmodifiableMap(values);
    }
}

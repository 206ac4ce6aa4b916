package nemesis.programs;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/** A program's arguments, already checked against its {@link ArgSpec}s and converted. */
public final class Args {
    private final Map<String, Object> values;

    public Args(Map<String, Object> values) {
        this.values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
    }

    public static Args empty() {
        return new Args(Map.of());
    }

    public boolean has(String name) {
        return values.get(name) != null;
    }

    /** A duration or rate or integer argument. */
    public long getLong(String name) {
        return ((Number) require(name)).longValue();
    }

    public long getLong(String name, long otherwise) {
        Object v = values.get(name);
        return v == null ? otherwise : ((Number) v).longValue();
    }

    public boolean getBoolean(String name) {
        return (Boolean) require(name);
    }

    public String getString(String name) {
        return (String) require(name);
    }

    public String getString(String name, String otherwise) {
        Object v = values.get(name);
        return v == null ? otherwise : (String) v;
    }

    public Map<String, Object> asMap() {
        return values;
    }

    private Object require(String name) {
        Object v = values.get(name);
        if (v == null) {
            throw new IllegalArgumentException("argument '" + name + "' not given");
        }
        return v;
    }

    @Override
    public String toString() {
        return values.toString();
    }
}

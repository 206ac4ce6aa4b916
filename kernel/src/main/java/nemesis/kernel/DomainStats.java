package nemesis.kernel;

import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Figures a program reports about itself, in the order it first set them. Each figure is a
 * mutable cell made on first use, so a program may update its figures per packet without
 * allocating.
 */
public final class DomainStats {
    private static final class Cell {
        long asLong;
        double asDouble;
        boolean isDouble;
    }

    private final Map<String, Cell> cells = new HashMap<>();
    private final LinkedHashMap<String, Cell> order = new LinkedHashMap<>();

    private Cell cell(String key) {
        Cell c = cells.get(key);
        if (c == null) {
            c = new Cell();
            cells.put(key, c);
            order.put(key, c);
        }
        return c;
    }

    public void set(String key, long value) {
        Cell c = cell(key);
        c.asLong = value;
        c.isDouble = false;
    }

    public void set(String key, double value) {
        Cell c = cell(key);
        c.asDouble = value;
        c.isDouble = true;
    }

    public void add(String key, long delta) {
        cell(key).asLong += delta;
    }

    public void max(String key, long value) {
        Cell c = cell(key);
        c.asLong = Math.max(c.asLong, value);
    }

    public long getLong(String key) {
        Cell c = cells.get(key);
        return c == null ? 0 : c.isDouble ? (long) c.asDouble : c.asLong;
    }

    /** The figures as numbers, in the order they were first set (made on each call). */
    public Map<String, Number> values() {
        Map<String, Number> m = new LinkedHashMap<>();
        for (Map.Entry<String, Cell> e : order.entrySet()) {
            Cell c = e.getValue();
            m.put(e.getKey(), c.isDouble ? (Number) c.asDouble : (Number) c.asLong);
        }
        return Collections.unmodifiableMap(m);
    }
}

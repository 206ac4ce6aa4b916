package nemesis.experiment;

import java.util.LinkedHashMap;
import java.util.Map;

/** The experiments {@code nemesis experiment NAME} runs. */
public final class Experiments {
    private static final Map<String, Experiment> ALL = new LinkedHashMap<>();

    static {
        register(new Fig4());
        register(new Fig5());
        register(new Fig6());
        register(new Fig7());
        register(new Table1());
        register(new Perf());
    }

    private Experiments() {
    }

    public static Experiment find(String name) {
        return ALL.get(name);
    }

    static void register(Experiment e) {
        ALL.put(e.name(), e);
    }

    public static Map<String, Experiment> all() {
        return ALL;
    }
}

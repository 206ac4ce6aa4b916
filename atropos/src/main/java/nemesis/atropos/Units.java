package nemesis.atropos;

/**
 * Formatting of times and shares for messages and tables a person reads: rounded to three
 * decimals. (The scenario layer has an exact formatter that round-trips through its parser.)
 */
public final class Units {
    private Units() {
    }

    /** {@code 1500000} → {@code "1.5ms"}: the largest unit that keeps the value at or above 1. */
    public static String formatNs(long ns) {
        if (ns == Atropos.NEVER) {
            return "never";
        }
        long abs = Math.abs(ns);
        if (abs >= 1_000_000_000L) {
            return trim(ns / 1e9) + "s";
        }
        if (abs >= 1_000_000L) {
            return trim(ns / 1e6) + "ms";
        }
        if (abs >= 1_000L) {
            return trim(ns / 1e3) + "us";
        }
        return ns + "ns";
    }

    /** Parts per billion as a percentage with one decimal: {@code 980000000} → {@code "98.0%"}. */
    public static String percent(long ppb) {
        return String.format(java.util.Locale.ROOT, "%.1f%%", ppb / 1e7);
    }

    private static String trim(double v) {
        String s = String.format(java.util.Locale.ROOT, "%.3f", v);
        int end = s.length();
        while (s.charAt(end - 1) == '0') {
            end--;
        }
        if (s.charAt(end - 1) == '.') {
            end--;
        }
        return s.substring(0, end);
    }
}

package nemesis.scenario;

import java.math.BigDecimal;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The quantities of scenario files: durations, rates, fractions and sizes, written as a decimal
 * number and a unit. Parsing is exact (decimal arithmetic): {@code 1.5ms} is 1500000 ns, and a
 * value that is not a whole number of the base unit, negative or too large for a {@code long} is
 * refused rather than rounded or wrapped.
 *
 * <p>Every parse method throws {@link IllegalArgumentException} with a message meant for the
 * user; the caller adds the file, line and field.
 */
public final class Quantities {
    /** An optional sign, a decimal number without exponent, then whatever unit follows. */
    private static final Pattern NUMBER_UNIT = Pattern.compile("([+-]?)(\\d+(?:\\.\\d*)?|\\.\\d+)\\s*(.*)");

    /** {@code µs} may be typed with the micro sign (U+00B5) or the Greek mu (U+03BC). */
    private static final Map<String, Long> TIME_UNITS = Map.of(
            "s", 1_000_000_000L, "ms", 1_000_000L, "us", 1_000L, "\u00b5s", 1_000L, "\u03bcs", 1_000L, "ns", 1L);
    private static final Map<String, Long> RATE_UNITS = Map.of(
            "bit/s", 1L, "kbit/s", 1_000L, "Kbit/s", 1_000L, "Mbit/s", 1_000_000L, "Gbit/s", 1_000_000_000L);
    private static final Map<String, Long> SIZE_UNITS = Map.of(
            "", 1L, "B", 1L, "kB", 1_000L, "KB", 1_000L, "MB", 1_000_000L, "GB", 1_000_000_000L,
            "KiB", 1L << 10, "MiB", 1L << 20, "GiB", 1L << 30);
    private static final long PPB = 1_000_000_000L;

    private static final BigDecimal LONG_MAX = BigDecimal.valueOf(Long.MAX_VALUE);

    private Quantities() {
    }

    /**
     * {@code 10ms}, {@code 110us} (or {@code µs}), {@code 2s}, {@code 500ns}, {@code 1.5ms}; a bare
     * {@code 0} needs no unit. Returns nanoseconds.
     */
    public static long parseDurationNs(String text) {
        Number n = split(text, "a duration", "10ms, 110us, 2s, 500ns");
        if (n.unit.isEmpty() && n.value.signum() == 0) {
            return 0;
        }
        Long scale = TIME_UNITS.get(n.unit);
        if (scale == null) {
            throw new IllegalArgumentException(unitProblem(text, n.unit, "durations use s, ms, us, ns"));
        }
        return toLong(n.value.multiply(BigDecimal.valueOf(scale)), text, "nanoseconds");
    }

    /** {@code 10Mbit/s}, {@code 1Gbit/s}, {@code 64kbit/s}, {@code 1500bit/s} (SI prefixes). Returns bit/s. */
    public static long parseRateBps(String text) {
        Number n = split(text, "a rate", "1500bit/s, 64kbit/s, 10Mbit/s, 1Gbit/s");
        if (n.unit.isEmpty() && n.value.signum() == 0) {
            return 0;
        }
        Long scale = RATE_UNITS.get(n.unit);
        if (scale == null) {
            throw new IllegalArgumentException(unitProblem(text, n.unit,
                    "rates use bit/s, kbit/s, Mbit/s, Gbit/s: k = 1000, M = 10^6, G = 10^9"));
        }
        return toLong(n.value.multiply(BigDecimal.valueOf(scale)), text, "bits per second");
    }

    /** {@code 98%} or the fraction {@code 0.98}, at most 100%. Returns parts per billion (1e9 = 100%). */
    public static long parsePpb(String text) {
        Number n = split(text, "a percentage or fraction", "98% or 0.98");
        BigDecimal ppb = switch (n.unit) {
            case "%" -> n.value.movePointRight(7);
            case "" -> n.value.movePointRight(9);
            default -> throw new IllegalArgumentException(unitProblem(text, n.unit, "write e.g. 98% or 0.98"));
        };
        if (ppb.compareTo(BigDecimal.valueOf(PPB)) > 0) {
            throw new IllegalArgumentException("'" + text.strip() + "' is more than 100%");
        }
        if (ppb.stripTrailingZeros().scale() > 0) {
            throw new IllegalArgumentException("'" + text.strip() + "' is finer than one part per billion");
        }
        return ppb.longValueExact();
    }

    /**
     * A whole number, optionally with a size suffix: {@code 1500}, {@code 1500B}, {@code 64KiB},
     * {@code 1MiB}, {@code 1GiB} (powers of 2), {@code 10kB}, {@code 10MB}, {@code 1GB} (powers of 10).
     */
    public static long parseInteger(String text) {
        Number n = split(text, "a whole number", "1500, 64KiB, 1MiB, 10MB");
        Long scale = SIZE_UNITS.get(n.unit);
        if (scale == null) {
            throw new IllegalArgumentException(unitProblem(text, n.unit,
                    "sizes use B, kB, MB, GB (powers of 10) or KiB, MiB, GiB (powers of 2)"));
        }
        return toLong(n.value.multiply(BigDecimal.valueOf(scale)), text, "");
    }

    /** Nanoseconds exactly, in the largest unit not above the value: {@code 1500000} → {@code 1.5ms}. */
    public static String formatNs(long ns) {
        long abs = Math.abs(ns);
        if (abs >= 1_000_000_000L) {
            return scaled(ns, 1_000_000_000L) + "s";
        }
        if (abs >= 1_000_000L) {
            return scaled(ns, 1_000_000L) + "ms";
        }
        if (abs >= 1_000L) {
            return scaled(ns, 1_000L) + "us";
        }
        return ns + "ns";
    }

    /** Bits per second exactly, with an SI prefix: {@code 10000000} → {@code 10Mbit/s}. */
    public static String formatRate(long bps) {
        long abs = Math.abs(bps);
        if (abs >= 1_000_000_000L) {
            return scaled(bps, 1_000_000_000L) + "Gbit/s";
        }
        if (abs >= 1_000_000L) {
            return scaled(bps, 1_000_000L) + "Mbit/s";
        }
        if (abs >= 1_000L) {
            return scaled(bps, 1_000L) + "kbit/s";
        }
        return bps + "bit/s";
    }

    /** Parts per billion exactly, as a percentage: {@code 980000000} → {@code 98%}. */
    public static String formatPpb(long ppb) {
        return scaled(ppb, 10_000_000L) + "%";
    }

    // ------------------------------------------------------------------------------------------

    private record Number(BigDecimal value, String unit) {
    }

    private static Number split(String text, String what, String examples) {
        String t = text == null ? "" : text.strip();
        Matcher m = NUMBER_UNIT.matcher(t);
        if (!m.matches()) {
            throw new IllegalArgumentException("'" + t + "' is not " + what + " (write e.g. " + examples + ")");
        }
        BigDecimal value = new BigDecimal(m.group(2));
        if (m.group(1).equals("-") && value.signum() != 0) {
            throw new IllegalArgumentException("must not be negative (got " + t + ")");
        }
        return new Number(value, m.group(3).strip());
    }

    private static String unitProblem(String text, String unit, String hint) {
        String t = text.strip();
        return unit.isEmpty()
                ? "'" + t + "' has no unit (" + hint + ")"
                : "unknown unit '" + unit + "' in '" + t + "' (" + hint + ")";
    }

    /** @param baseUnit what one is, for messages ("nanoseconds"), or "" for a plain number */
    private static long toLong(BigDecimal value, String text, String baseUnit) {
        String of = baseUnit.isEmpty() ? "" : " of " + baseUnit;
        if (value.stripTrailingZeros().scale() > 0) {
            throw new IllegalArgumentException("'" + text.strip() + "' is not a whole number" + of);
        }
        if (value.compareTo(LONG_MAX) > 0) {
            throw new IllegalArgumentException("'" + text.strip() + "' is too large (the most is "
                    + Long.MAX_VALUE + (baseUnit.isEmpty() ? "" : " " + baseUnit) + ")");
        }
        return value.longValueExact();
    }

    /** {@code value / unit} exactly, without trailing zeros; {@code unit} is a power of ten. */
    private static String scaled(long value, long unit) {
        int powerOfTen = Long.toString(unit).length() - 1;
        return BigDecimal.valueOf(value).movePointLeft(powerOfTen).stripTrailingZeros().toPlainString();
    }
}

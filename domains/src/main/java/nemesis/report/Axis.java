package nemesis.report;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;

/**
 * A linear axis with ticks at multiples of a 1-2-5 step ({@code mantissa * 10^exponent}), as dense
 * as the pixel length allows. Tick values are exact decimals, so labels never show 0.30000000000000004.
 */
final class Axis {
    private static final int[] MANTISSAS = {1, 2, 5};
    private static final double EPS = 1e-9;

    final double lo;
    final double hi;
    private final int mantissa;
    private final int exponent;
    private final long firstK;
    private final long lastK;

    private Axis(double lo, double hi, int mantissa, int exponent) {
        this.lo = lo;
        this.hi = hi;
        this.mantissa = mantissa;
        this.exponent = exponent;
        BigDecimal step = BigDecimal.valueOf(mantissa).scaleByPowerOfTen(exponent);
        this.firstK = steps(lo, step, RoundingMode.CEILING);
        this.lastK = steps(hi, step, RoundingMode.FLOOR);
    }

    /**
     * An axis over [{@code lo}, {@code hi}] on {@code lengthPx} pixels. With {@code nice}, the bounds
     * grow to the enclosing ticks. Ticks are at least {@code minGapPx} apart, and (for a horizontal
     * axis) far enough apart for their labels.
     */
    static Axis fit(double lo, double hi, boolean nice, double lengthPx, double minGapPx, boolean horizontal) {
        if (!Double.isFinite(lo) || !Double.isFinite(hi)) {
            lo = 0;
            hi = 1;
        }
        if (hi < lo) {
            double t = lo;
            lo = hi;
            hi = t;
        }
        if (hi - lo < 1e-12 * Math.max(1, Math.abs(hi))) { // one value: a range around it
            double d = lo == 0 ? 1 : Math.abs(lo) * 0.5;
            lo = lo == 0 ? 0 : lo - d;
            hi = hi + d;
        }
        double raw = (hi - lo) * minGapPx / Math.max(1, lengthPx);
        int e = (int) Math.floor(Math.log10(raw)) - 1;
        int m = 0; // index into MANTISSAS
        for (int tries = 0; tries < 64; tries++) {
            int mant = MANTISSAS[m];
            double step = mant * Math.pow(10, e);
            BigDecimal exactStep = BigDecimal.valueOf(mant).scaleByPowerOfTen(e);
            // bounds at whole ticks, as exact decimals; data within 1e-9 steps of a tick counts as on it
            double a = nice ? BigDecimal.valueOf(steps(lo, exactStep, RoundingMode.FLOOR) * mant).scaleByPowerOfTen(e)
                    .doubleValue() : lo;
            double b = nice ? BigDecimal.valueOf(steps(hi, exactStep, RoundingMode.CEILING) * mant).scaleByPowerOfTen(e)
                    .doubleValue() : hi;
            Axis ax = new Axis(a, b, mant, e);
            double gap = step * lengthPx / (b - a);
            double need = minGapPx;
            if (horizontal) {
                need = Math.max(need, ax.widestLabel() + 14);
            }
            if (gap >= need || tries == 63) {
                return ax;
            }
            if (++m == MANTISSAS.length) {
                m = 0;
                e++;
            }
        }
        throw new AssertionError();
    }

    /**
     * {@code v / step} rounded to a whole number of steps (CEILING or FLOOR), in decimal arithmetic:
     * with doubles, 447737.59 / 0.005 comes out a hair above the whole 89547518 and its ceiling
     * skips a tick. Within 1e-9 steps of a whole number counts as on it.
     */
    private static long steps(double v, BigDecimal step, RoundingMode mode) {
        BigDecimal k = BigDecimal.valueOf(v).divide(step, MathContext.DECIMAL128);
        BigDecimal tolerance = BigDecimal.valueOf(mode == RoundingMode.CEILING ? -EPS : EPS);
        return k.add(tolerance).setScale(0, mode).longValueExact();
    }

    double step() {
        return mantissa * Math.pow(10, exponent);
    }

    int tickCount() {
        return (int) Math.max(0, lastK - firstK + 1);
    }

    double tick(int i) {
        return value(firstK + i).doubleValue();
    }

    String label(int i) {
        return value(firstK + i).setScale(Math.max(0, -exponent)).toPlainString();
    }

    private BigDecimal value(long k) {
        return BigDecimal.valueOf(k * mantissa).scaleByPowerOfTen(exponent);
    }

    double widestLabel() {
        double w = 0;
        for (int i = 0; i < tickCount(); i++) {
            w = Math.max(w, TextStyle.TICK.width(label(i)));
        }
        return w;
    }

    /** Pixel position of {@code v} on an axis drawn from {@code p0} (at lo) to {@code p1} (at hi). */
    double px(double v, double p0, double p1) {
        return p0 + (v - lo) * (p1 - p0) / (hi - lo);
    }
}

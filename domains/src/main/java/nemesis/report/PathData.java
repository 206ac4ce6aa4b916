package nemesis.report;

import java.util.Arrays;

/** A path in pixels: move, line and close commands, replayed as SVG path data or a Java2D path. */
final class PathData {
    static final byte MOVE = 0;
    static final byte LINE = 1;
    static final byte CLOSE = 2;

    private byte[] ops = new byte[16];
    private double[] xy = new double[32];
    private int n;

    PathData moveTo(double x, double y) {
        return add(MOVE, x, y);
    }

    PathData lineTo(double x, double y) {
        return add(LINE, x, y);
    }

    PathData close() {
        return add(CLOSE, 0, 0);
    }

    int size() {
        return n;
    }

    byte op(int i) {
        return ops[i];
    }

    double x(int i) {
        return xy[2 * i];
    }

    double y(int i) {
        return xy[2 * i + 1];
    }

    private PathData add(byte op, double x, double y) {
        if (n == ops.length) {
            ops = Arrays.copyOf(ops, 2 * n);
            xy = Arrays.copyOf(xy, 4 * n);
        }
        ops[n] = op;
        xy[2 * n] = x;
        xy[2 * n + 1] = y;
        n++;
        return this;
    }
}

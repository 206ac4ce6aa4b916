package nemesis.report;

/** The text sizes of a chart. Layout estimates widths from the advance; the PNG measures for anchoring. */
enum TextStyle {
    TITLE(16, true),
    NOTE(12, false),
    AXIS_TITLE(13, false),
    TICK(11, false),
    LEGEND(12, false);

    /** DejaVu Sans advances of a..z in em (rounded up a little). */
    private static final double[] LOWER = {
        0.62, 0.64, 0.56, 0.64, 0.62, 0.36, 0.64, 0.64, 0.28, 0.28, 0.58, 0.28, 0.98,
        0.64, 0.62, 0.64, 0.64, 0.42, 0.53, 0.40, 0.64, 0.60, 0.82, 0.60, 0.60, 0.53
    };

    final int size;
    final boolean bold;

    TextStyle(int size, boolean bold) {
        this.size = size;
        this.bold = bold;
    }

    /** An estimate of the width of {@code s} in px, from DejaVu Sans metrics; a little generous. */
    double width(String s) {
        double em = 0;
        for (int i = 0; i < s.length(); i++) {
            em += advance(s.charAt(i));
        }
        return em * size * (bold ? 1.12 : 1.0) * 1.03;
    }

    private static double advance(char c) {
        if (c >= 'a' && c <= 'z') {
            return LOWER[c - 'a'];
        }
        if (c >= '0' && c <= '9') {
            return 0.64;
        }
        if (c >= 'A' && c <= 'Z') {
            return c == 'I' || c == 'J' ? 0.30 : c == 'M' || c == 'W' ? 0.99 : 0.72;
        }
        return switch (c) {
            case ' ', '.', ',', ':', ';', '\'', '!', '|' -> 0.34;
            case '(', ')', '[', ']', '{', '}', '/', '\\', '-' -> 0.40;
            case '%', '@' -> 1.0;
            default -> 0.84; // other symbols, non-ASCII
        };
    }
}

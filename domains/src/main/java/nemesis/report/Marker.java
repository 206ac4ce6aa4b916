package nemesis.report;

/** Marker shapes, one per series in turn, so series differ by more than colour. */
enum Marker {
    CIRCLE, SQUARE, TRIANGLE_UP, DIAMOND, TRIANGLE_DOWN, PENTAGON;

    /** Draws the marker centred on (x, y), about 2r across; hollow = white inside, coloured edge. */
    void draw(Canvas c, String cls, double x, double y, double r, int rgb, boolean hollow) {
        int fill = hollow ? 0xFFFFFF : rgb;
        Stroke edge = hollow ? Stroke.THIN : Stroke.HAIR;
        if (this == CIRCLE) {
            c.circle(cls, x, y, r, fill, rgb, edge);
            return;
        }
        PathData p = new PathData();
        switch (this) {
            case SQUARE -> {
                double h = r * 0.85;
                p.moveTo(x - h, y - h).lineTo(x + h, y - h).lineTo(x + h, y + h).lineTo(x - h, y + h);
            }
            case TRIANGLE_UP -> p.moveTo(x, y - r * 1.15).lineTo(x + r, y + r * 0.75).lineTo(x - r, y + r * 0.75);
            case TRIANGLE_DOWN -> p.moveTo(x, y + r * 1.15).lineTo(x + r, y - r * 0.75).lineTo(x - r, y - r * 0.75);
            case DIAMOND -> {
                double h = r * 1.2;
                p.moveTo(x, y - h).lineTo(x + h * 0.8, y).lineTo(x, y + h).lineTo(x - h * 0.8, y);
            }
            default -> { // pentagon
                double rr = r * 1.1;
                for (int k = 0; k < 5; k++) {
                    double a = -Math.PI / 2 + k * 2 * Math.PI / 5;
                    double px = x + rr * Math.cos(a);
                    double py = y + rr * Math.sin(a);
                    if (k == 0) {
                        p.moveTo(px, py);
                    } else {
                        p.lineTo(px, py);
                    }
                }
            }
        }
        c.shape(cls, p.close(), fill, rgb, edge);
    }
}

package nemesis.report;

/** A line width and an optional dash pattern (on, off, ... in px). */
record Stroke(double width, double[] dash) {
    static final Stroke HAIR = new Stroke(1, null);
    static final Stroke THIN = new Stroke(1.5, null);
    static final Stroke LINE = new Stroke(2, null);
    static final Stroke DASHED = new Stroke(2, new double[] {7, 4});
    static final Stroke DOTTED = new Stroke(1.6, new double[] {1.6, 3});

    Stroke {
        dash = dash == null ? null : dash.clone();
    }

    @Override
    public double[] dash() {
        return dash == null ? null : dash.clone();
    }
}

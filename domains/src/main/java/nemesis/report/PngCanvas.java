package nemesis.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.AffineTransform;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Path2D;
import java.awt.geom.Rectangle2D;
import java.util.EnumMap;
import java.util.Map;

/** Java2D on a BufferedImage, antialiased; the same calls as the SVG, so the same picture. */
final class PngCanvas implements Canvas {
    private final Graphics2D g;
    private final Map<TextStyle, Font> fonts = new EnumMap<>(TextStyle.class);

    PngCanvas(Graphics2D g) {
        this.g = g;
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_STROKE_CONTROL, RenderingHints.VALUE_STROKE_PURE);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_FRACTIONALMETRICS, RenderingHints.VALUE_FRACTIONALMETRICS_ON);
    }

    @Override
    public void rect(String cls, double x, double y, double w, double h, int fillRgb) {
        g.setColor(new Color(fillRgb));
        g.fill(new Rectangle2D.Double(x, y, w, h));
    }

    @Override
    public void shape(String cls, PathData p, int fillRgb, int strokeRgb, Stroke stroke) {
        Path2D.Double path = new Path2D.Double();
        for (int i = 0; i < p.size(); i++) {
            switch (p.op(i)) {
                case PathData.MOVE -> path.moveTo(p.x(i), p.y(i));
                case PathData.LINE -> path.lineTo(p.x(i), p.y(i));
                default -> path.closePath();
            }
        }
        paint(path, fillRgb, strokeRgb, stroke);
    }

    @Override
    public void circle(String cls, double cx, double cy, double r, int fillRgb, int strokeRgb, Stroke stroke) {
        paint(new Ellipse2D.Double(cx - r, cy - r, 2 * r, 2 * r), fillRgb, strokeRgb, stroke);
    }

    private void paint(java.awt.Shape s, int fillRgb, int strokeRgb, Stroke stroke) {
        if (fillRgb != NONE) {
            g.setColor(new Color(fillRgb));
            g.fill(s);
        }
        if (strokeRgb != NONE) {
            g.setColor(new Color(strokeRgb));
            double[] d = stroke.dash();
            float[] dash = null;
            if (d != null) {
                dash = new float[d.length];
                for (int i = 0; i < d.length; i++) {
                    dash[i] = (float) d[i];
                }
            }
            g.setStroke(new BasicStroke((float) stroke.width(), BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND, 10f,
                    dash, 0f));
            g.draw(s);
        }
    }

    @Override
    public void text(String cls, double x, double y, String s, TextStyle st, int rgb, int anchor, boolean vertical) {
        g.setFont(fonts.computeIfAbsent(st, k -> new Font(Font.SANS_SERIF, k.bold ? Font.BOLD : Font.PLAIN, k.size)));
        g.setColor(new Color(rgb));
        double dx = anchor < 0 ? 0 : g.getFontMetrics().getStringBounds(s, g).getWidth() * (anchor == 0 ? 0.5 : 1);
        if (!vertical) {
            g.drawString(s, (float) (x - dx), (float) y);
            return;
        }
        AffineTransform saved = g.getTransform();
        g.translate(x, y);
        g.rotate(-Math.PI / 2);
        g.drawString(s, (float) -dx, 0f);
        g.setTransform(saved);
    }

    @Override
    public void group(String cls, String label) {
    }

    @Override
    public void endGroup() {
    }

    @Override
    public void clip(double x, double y, double w, double h) {
        g.setClip(new Rectangle2D.Double(x, y, w, h));
    }

    @Override
    public void endClip() {
        g.setClip(null);
    }
}

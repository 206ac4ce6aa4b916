package nemesis.report;

import java.util.Locale;

/** SVG as text: one element per call, numbers with at most two decimals, no locale. */
final class SvgCanvas implements Canvas {
    private final StringBuilder body = new StringBuilder(1 << 14);
    private final int width;
    private final int height;
    private int clips;
    private boolean clipOpen;

    SvgCanvas(int width, int height) {
        this.width = width;
        this.height = height;
    }

    @Override
    public void rect(String cls, double x, double y, double w, double h, int fillRgb) {
        body.append("<rect class=\"").append(cls).append("\" x=\"").append(num(x)).append("\" y=\"").append(num(y))
                .append("\" width=\"").append(num(w)).append("\" height=\"").append(num(h))
                .append("\" fill=\"").append(hex(fillRgb)).append("\"/>\n");
    }

    @Override
    public void shape(String cls, PathData p, int fillRgb, int strokeRgb, Stroke stroke) {
        body.append("<path class=\"").append(cls).append("\" d=\"");
        for (int i = 0; i < p.size(); i++) {
            switch (p.op(i)) {
                case PathData.MOVE -> body.append('M').append(num(p.x(i))).append(' ').append(num(p.y(i)));
                case PathData.LINE -> body.append('L').append(num(p.x(i))).append(' ').append(num(p.y(i)));
                default -> body.append('Z');
            }
        }
        body.append('"');
        paint(fillRgb, strokeRgb, stroke);
        body.append("/>\n");
    }

    @Override
    public void circle(String cls, double cx, double cy, double r, int fillRgb, int strokeRgb, Stroke stroke) {
        body.append("<circle class=\"").append(cls).append("\" cx=\"").append(num(cx)).append("\" cy=\"")
                .append(num(cy)).append("\" r=\"").append(num(r)).append('"');
        paint(fillRgb, strokeRgb, stroke);
        body.append("/>\n");
    }

    private void paint(int fillRgb, int strokeRgb, Stroke stroke) {
        body.append(" fill=\"").append(fillRgb == NONE ? "none" : hex(fillRgb)).append('"');
        if (strokeRgb != NONE) {
            body.append(" stroke=\"").append(hex(strokeRgb)).append("\" stroke-width=\"").append(num(stroke.width()))
                    .append("\" stroke-linejoin=\"round\"");
            double[] dash = stroke.dash();
            if (dash != null) {
                body.append(" stroke-dasharray=\"");
                for (int i = 0; i < dash.length; i++) {
                    body.append(i == 0 ? "" : " ").append(num(dash[i]));
                }
                body.append('"');
            }
        }
    }

    @Override
    public void text(String cls, double x, double y, String s, TextStyle st, int rgb, int anchor, boolean vertical) {
        body.append("<text class=\"").append(cls).append("\" x=\"").append(num(x)).append("\" y=\"").append(num(y))
                .append("\" font-size=\"").append(st.size).append('"');
        if (st.bold) {
            body.append(" font-weight=\"bold\"");
        }
        body.append(" fill=\"").append(hex(rgb)).append('"');
        if (anchor >= 0) {
            body.append(" text-anchor=\"").append(anchor == 0 ? "middle" : "end").append('"');
        }
        if (vertical) {
            body.append(" transform=\"rotate(-90 ").append(num(x)).append(' ').append(num(y)).append(")\"");
        }
        body.append('>');
        escape(s);
        body.append("</text>\n");
    }

    @Override
    public void group(String cls, String label) {
        body.append("<g class=\"").append(cls).append('"');
        if (label != null) {
            body.append(" data-label=\"");
            escape(label);
            body.append('"');
        }
        body.append(">\n");
    }

    @Override
    public void endGroup() {
        body.append("</g>\n");
    }

    @Override
    public void clip(double x, double y, double w, double h) {
        endClip();
        String id = "clip" + clips++;
        body.append("<clipPath id=\"").append(id).append("\"><rect x=\"").append(num(x)).append("\" y=\"")
                .append(num(y)).append("\" width=\"").append(num(w)).append("\" height=\"").append(num(h))
                .append("\"/></clipPath>\n<g clip-path=\"url(#").append(id).append(")\">\n");
        clipOpen = true;
    }

    @Override
    public void endClip() {
        if (clipOpen) {
            body.append("</g>\n");
            clipOpen = false;
        }
    }

    String finish() {
        endClip();
        return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                + "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + width + "\" height=\"" + height
                + "\" viewBox=\"0 0 " + width + " " + height + "\" font-family=\"DejaVu Sans, Verdana, sans-serif\">\n"
                + body + "</svg>\n";
    }

    /** XML-escaped, non-ASCII as character references: correct whatever the Writer's charset. */
    private void escape(String s) {
        s.codePoints().forEach(cp -> {
            switch (cp) {
                case '&' -> body.append("&amp;");
                case '<' -> body.append("&lt;");
                case '>' -> body.append("&gt;");
                case '"' -> body.append("&quot;");
                default -> {
                    if (cp >= 0x20 && cp < 0x7F) {
                        body.append((char) cp);
                    } else if (cp >= 0xA0) {
                        body.append("&#").append(cp).append(';');
                    } else {
                        body.append(cp == '\t' ? ' ' : '?'); // control characters are not allowed in XML 1.0
                    }
                }
            }
        });
    }

    static String hex(int rgb) {
        return String.format(Locale.ROOT, "#%06x", rgb & 0xFFFFFF);
    }

    /** At most two decimals, no locale, no exponent. */
    static String num(double v) {
        long t = Math.round(v * 100);
        StringBuilder s = new StringBuilder(12);
        if (t < 0) {
            s.append('-');
            t = -t;
        }
        s.append(t / 100);
        long f = t % 100;
        if (f != 0) {
            s.append('.').append(f / 10);
            if (f % 10 != 0) {
                s.append(f % 10);
            }
        }
        return s.toString();
    }
}

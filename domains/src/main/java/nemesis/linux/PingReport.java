package nemesis.linux;

import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;

/**
 * The summary iputils' ping prints at its end:
 * <pre>
 * 5 packets transmitted, 5 received, 0% packet loss, time 224ms
 * rtt min/avg/max/mdev = 0.043/0.107/0.346/0.119 ms
 * </pre>
 * (with {@code +N duplicates} and {@code +N errors} after "received" when there were any).
 */
final class PingReport {
    private static final java.util.regex.Pattern COUNTS = java.util.regex.Pattern.compile(
            "(\\d+) packets transmitted, (\\d+) (?:packets )?received(?:, \\+(\\d+) duplicates)?"
                    + "(?:, \\+(\\d+) errors)?, ([\\d.]+)% packet loss(?:, time (\\d+)ms)?");
    private static final java.util.regex.Pattern RTT = java.util.regex.Pattern.compile(
            "(?:rtt|round-trip) min/avg/max(?:/mdev|/stddev)? = ([\\d.]+)/([\\d.]+)/([\\d.]+)(?:/([\\d.]+))? ms");

    private PingReport() {
    }

    /**
     * {@code sent}, {@code received}, {@code lost}, {@code loss_percent}, {@code duplicates},
     * {@code errors}, {@code time_ms}, {@code rtt_min_ns}, {@code rtt_avg_ns}, {@code rtt_max_ns},
     * {@code rtt_mdev_ns} (0 without replies), as ping printed them (RTTs to its microsecond);
     * empty if there is no summary (ping did not finish).
     */
    static Map<String, Object> figures(List<String> output) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (String l : output) {
            Matcher c = COUNTS.matcher(l);
            if (c.find()) {
                long sent = Long.parseLong(c.group(1));
                long received = Long.parseLong(c.group(2));
                m.put("sent", sent);
                m.put("received", received);
                m.put("lost", sent - received);
                m.put("loss_percent", Double.parseDouble(c.group(5)));
                m.put("duplicates", c.group(3) == null ? 0L : Long.parseLong(c.group(3)));
                m.put("errors", c.group(4) == null ? 0L : Long.parseLong(c.group(4)));
                if (c.group(6) != null) {
                    m.put("time_ms", Long.parseLong(c.group(6)));
                }
            }
            Matcher r = RTT.matcher(l);
            if (r.find()) {
                m.put("rtt_min_ns", ns(r.group(1)));
                m.put("rtt_avg_ns", ns(r.group(2)));
                m.put("rtt_max_ns", ns(r.group(3)));
                if (r.group(4) != null) {
                    m.put("rtt_mdev_ns", ns(r.group(4)));
                }
            }
        }
        if (m.containsKey("sent") && !m.containsKey("rtt_min_ns")) {
            m.put("rtt_min_ns", 0L);
            m.put("rtt_avg_ns", 0L);
            m.put("rtt_max_ns", 0L);
            m.put("rtt_mdev_ns", 0L);
        }
        return m;
    }

    /** Milliseconds as printed to nanoseconds, exactly. */
    private static long ns(String ms) {
        return new BigDecimal(ms).movePointRight(6).setScale(0, java.math.RoundingMode.HALF_EVEN).longValueExact();
    }
}

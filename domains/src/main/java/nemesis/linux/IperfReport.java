package nemesis.linux;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;

/**
 * The reports in iperf 2's output with {@code -f b} (bytes and bits per second as plain integers,
 * intervals to 0.1 ms): one line per connection and interval,
 * <pre>
 * [  1] 0.0000-1.0001 sec  3652976700 Bytes  29219752054 bits/sec
 * [  1] 0.0000-1.0039 sec  3652976700 Bytes  29110602467 bits/sec  27870/0   66  1023K/524(945) us  6944323
 * </pre>
 * (the second a client's with {@code -e}: writes/errors, retransmissions, cwnd/RTT, net power;
 * counts under 100 have decimals: {@code 96.0 Bytes}).
 * A connection's final report is its last line when that starts at 0 (with {@code -i}, the
 * interval lines come before it); the other lines are interval reports. ({@code -y C}, the CSV
 * format, rounds the interval to 0.1 s, hence the plain format.)
 */
final class IperfReport {
    private static final java.util.regex.Pattern LINE = java.util.regex.Pattern.compile(
            "^\\[\\s*(\\d+|SUM)\\]\\s+(\\d+(?:\\.\\d+)?)\\s*-\\s*(\\d+(?:\\.\\d+)?)\\s+sec\\s+(\\d+(?:\\.\\d+)?)\\s+"
                    + "Bytes?\\s+(\\d+(?:\\.\\d+)?)\\s+bits/sec(.*)$");
    private static final java.util.regex.Pattern CLIENT_EXTRA =
            java.util.regex.Pattern.compile("^\\s*(\\d+)/(\\d+)\\s+(\\d+)\\b");

    private IperfReport() {
    }

    /**
     * One report line.
     *
     * @param id    the connection's number in iperf's output ({@code SUM} for a sum line)
     * @param start seconds from the connection's start (as printed)
     * @param end   seconds from the connection's start (as printed)
     * @param rest  what follows {@code bits/sec} (the {@code -e} columns)
     */
    record Line(String id, BigDecimal start, BigDecimal end, long bytes, long bitsPerSecond, String rest) {
        BigDecimal seconds() {
            return end.subtract(start);
        }

        String interval() {
            return start.toPlainString() + "-" + end.toPlainString();
        }

        Map<String, Object> figures() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", id);
            m.put("interval", interval());
            m.put("seconds", seconds().doubleValue());
            m.put("bytes", bytes);
            m.put("bits_per_second", bitsPerSecond);
            Matcher x = CLIENT_EXTRA.matcher(rest);
            if (x.find()) {
                m.put("writes", Long.parseLong(x.group(1)));
                m.put("write_errors", Long.parseLong(x.group(2)));
                m.put("retries", Long.parseLong(x.group(3)));
            }
            return m;
        }
    }

    /** The parsed output: each connection's final report, in order, the interval reports, sum lines. */
    record Parsed(List<Line> finals, List<Line> intervals, List<Line> sums) {
    }

    /**
     * A count as iperf printed it: an integer from 100 up, below with decimals ({@code 96.0 Bytes},
     * {@code 0.000 Bytes}: its byte_snprintf keeps 4 digits), which for bytes are exact.
     */
    private static long integer(String printed) {
        return new BigDecimal(printed).setScale(0, java.math.RoundingMode.HALF_EVEN).longValueExact();
    }

    static Parsed parse(List<String> output) {
        Map<String, List<Line>> byId = new LinkedHashMap<>();
        List<Line> sums = new ArrayList<>();
        for (String l : output) {
            Matcher m = LINE.matcher(l.strip());
            if (!m.matches()) {
                continue;
            }
            Line line = new Line(m.group(1), new BigDecimal(m.group(2)), new BigDecimal(m.group(3)),
                    integer(m.group(4)), integer(m.group(5)), m.group(6));
            if (line.id().equals("SUM")) {
                sums.add(line);
            } else {
                byId.computeIfAbsent(line.id(), k -> new ArrayList<>()).add(line);
            }
        }
        List<Line> finals = new ArrayList<>();
        List<Line> intervals = new ArrayList<>();
        for (List<Line> lines : byId.values()) {
            Line last = lines.getLast();
            boolean isFinal = last.start().signum() == 0;
            if (isFinal) {
                finals.add(last);
            }
            intervals.addAll(isFinal ? lines.subList(0, lines.size() - 1) : lines);
        }
        return new Parsed(finals, intervals, sums);
    }

    /**
     * The figures of the final reports: {@code connections}; {@code bytes} (their sum),
     * {@code seconds}, {@code bits_per_second} and {@code interval} as iperf printed them for one
     * connection (for several: the longest connection's seconds and the sum of the rates, as
     * iperf's [SUM] would); the {@code -e} columns of a client; then {@code reports} (each
     * connection's) and {@code intervals} when there are several or interval reports.
     */
    static Map<String, Object> figures(Parsed p) {
        Map<String, Object> m = new LinkedHashMap<>();
        List<Line> f = p.finals();
        m.put("connections", f.size());
        long bytes = 0;
        long bps = 0;
        BigDecimal seconds = BigDecimal.ZERO;
        for (Line l : f) {
            bytes += l.bytes();
            bps += l.bitsPerSecond();
            seconds = seconds.max(l.seconds());
        }
        m.put("bytes", bytes);
        m.put("seconds", seconds.doubleValue());
        m.put("bits_per_second", bps);
        if (f.size() == 1) {
            Map<String, Object> one = f.getFirst().figures();
            m.put("interval", one.get("interval"));
            for (String k : List.of("writes", "write_errors", "retries")) {
                if (one.containsKey(k)) {
                    m.put(k, one.get(k));
                }
            }
        }
        if (f.size() > 1) {
            m.put("reports", f.stream().map(Line::figures).toList());
        }
        if (!p.intervals().isEmpty()) {
            m.put("intervals", p.intervals().stream().map(Line::figures).toList());
        }
        return m;
    }
}

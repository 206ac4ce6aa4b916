package nemesis.inet;

import java.lang.foreign.MemorySegment;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a stream sink measures ({@code tcp_sink}, on the Nemesis host and on the peer): bytes
 * delivered to the application in the measured window (at or after {@code measureFromNs}), the
 * first and last delivery in it, goodput between them, totals over the run, and with
 * {@code verify} whether every byte matched the {@link StreamPattern} at its offset (what
 * {@code tcp_send} writes, on the Nemesis host and on the peer). The counterpart of
 * {@link SinkMeter} for byte streams.
 *
 * <p>Goodput is payload bits per second from the first delivery of the window to the last:
 * {@code 8 * (bytes - bytes of the first) * 1e9 / (last - first)}, as {@link SinkMeter} computes
 * it. Allocates nothing per record.
 */
public final class StreamMeter {
    private final boolean verify;
    private final long measureFromNs;
    private long bytesTotal;
    private long bytes;
    private long deliveries;
    private long firstNs = -1;
    private long lastNs = -1;
    private long firstBytes;
    private long patternErrors;
    private long connections;
    private long fins;

    public StreamMeter(boolean verify, long measureFromNs) {
        this.verify = verify;
        this.measureFromNs = measureFromNs;
    }

    /**
     * {@code len} bytes at stream offset {@code streamOffset} reached the application at
     * {@code nowNs}; a chunk that does not match the pattern counts one pattern error.
     */
    public void record(MemorySegment m, long off, int len, long streamOffset, long nowNs) {
        if (verify && StreamPattern.firstMismatch(m, off, len, streamOffset) >= 0) {
            patternErrors++;
        }
        count(len, nowNs);
    }

    public void record(byte[] b, int off, int len, long streamOffset, long nowNs) {
        if (verify && StreamPattern.firstMismatch(b, off, len, streamOffset) >= 0) {
            patternErrors++;
        }
        count(len, nowNs);
    }

    private void count(int len, long nowNs) {
        bytesTotal += len;
        if (nowNs >= measureFromNs && len > 0) {
            if (firstNs < 0) {
                firstNs = nowNs;
                firstBytes = len;
            }
            lastNs = nowNs;
            deliveries++;
            bytes += len;
        }
    }

    /** A connection was accepted. */
    public void connection() {
        connections++;
    }

    /** A connection's stream ended (FIN). */
    public void fin() {
        fins++;
    }

    public double goodputBps() {
        if (deliveries < 2 || lastNs <= firstNs) {
            return 0.0;
        }
        return (bytes - firstBytes) * 8.0 * 1e9 / (lastNs - firstNs);
    }

    public long bytes() {
        return bytes;
    }

    public long bytesTotal() {
        return bytesTotal;
    }

    public long firstNs() {
        return firstNs;
    }

    public long lastNs() {
        return lastNs;
    }

    public long patternErrors() {
        return patternErrors;
    }

    public boolean verified() {
        return verify && patternErrors == 0;
    }

    public long connections() {
        return connections;
    }

    /**
     * The figures, in a stable order: {@code bytes}, {@code first_ns}, {@code last_ns},
     * {@code goodput_bps} (measured window); {@code bytes_total}, {@code connections}, {@code fins}
     * (whole run); {@code verified} and {@code pattern_errors} when verifying.
     */
    public Map<String, Object> figures() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("bytes", bytes);
        m.put("first_ns", firstNs);
        m.put("last_ns", lastNs);
        m.put("goodput_bps", goodputBps());
        m.put("bytes_total", bytesTotal);
        m.put("connections", connections);
        m.put("fins", fins);
        if (verify) {
            m.put("verified", verified());
            m.put("pattern_errors", patternErrors);
        }
        return m;
    }
}

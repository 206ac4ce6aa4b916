package nemesis.inet;

import java.lang.foreign.MemorySegment;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a datagram sink measures, the same on the Nemesis host ({@code udp_sink}) and on the peer:
 * datagrams and payload bytes delivered to the application in the measured window (arrival at
 * or after {@code measureFromNs}, the warmup's end), the arrival of the first and last of them,
 * and the goodput between them; over the whole run, loss, duplication and reordering by sequence
 * number ({@link SequenceTracker}); and, with {@code verify}, whether every byte matched its
 * {@link Pattern}.
 *
 * <p>Goodput is payload bits per second from the first datagram of the window to the last:
 * {@code 8 * (bytes - bytes of the first) * 1e9 / (last - first)} — the first datagram's bytes
 * mark the start, so a stream of n equal datagrams every T gives exactly size/T. Zero with fewer
 * than two datagrams. Allocates nothing per datagram.
 */
public final class SinkMeter {
    private final boolean verify;
    private final long measureFromNs;
    private final SequenceTracker sequence = new SequenceTracker();
    private long datagramsTotal;
    private long bytesTotal;
    private long datagrams;
    private long bytes;
    private long firstNs = -1;
    private long lastNs = -1;
    private long firstBytes;
    private long patternErrors;
    private long unsequenced;

    public SinkMeter(boolean verify, long measureFromNs) {
        this.verify = verify;
        this.measureFromNs = measureFromNs;
    }

    /** One datagram's payload arrived at the application at {@code nowNs}. */
    public void record(MemorySegment m, long off, int len, long nowNs) {
        boolean ok = !verify || Pattern.verify(m, off, len);
        count(len, ok, Pattern.hasSequence(len), Pattern.sequence(m, off, len), nowNs);
    }

    public void record(byte[] b, int off, int len, long nowNs) {
        boolean ok = !verify || Pattern.verify(b, off, len);
        count(len, ok, Pattern.hasSequence(len), Pattern.sequence(b, off, len), nowNs);
    }

    private void count(int len, boolean ok, boolean hasSeq, long seq, long nowNs) {
        datagramsTotal++;
        bytesTotal += len;
        if (!ok) {
            patternErrors++;
        }
        if (hasSeq && ok) {
            sequence.record(seq);
        } else if (!hasSeq) {
            unsequenced++;
        }
        if (nowNs >= measureFromNs) {
            if (firstNs < 0) {
                firstNs = nowNs;
                firstBytes = len;
            }
            lastNs = nowNs;
            datagrams++;
            bytes += len;
        }
    }

    /** Payload bits per second between the first and the last datagram of the measured window. */
    public double goodputBps() {
        if (datagrams < 2 || lastNs <= firstNs) {
            return 0.0;
        }
        return (bytes - firstBytes) * 8.0 * 1e9 / (lastNs - firstNs);
    }

    /** Datagrams in the measured window. */
    public long datagrams() {
        return datagrams;
    }

    /** Payload bytes in the measured window. */
    public long bytes() {
        return bytes;
    }

    public long datagramsTotal() {
        return datagramsTotal;
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

    /** True if checking and every datagram matched its pattern. */
    public boolean verified() {
        return verify && patternErrors == 0;
    }

    public boolean verifying() {
        return verify;
    }

    public SequenceTracker sequence() {
        return sequence;
    }

    /**
     * The figures, in a stable order: {@code datagrams}, {@code bytes}, {@code first_ns},
     * {@code last_ns}, {@code goodput_bps} (measured window); {@code datagrams_total},
     * {@code bytes_total}, {@code lost}, {@code duplicates}, {@code reordered} (whole run);
     * {@code verified} and {@code pattern_errors} when verifying.
     */
    public Map<String, Object> figures() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("datagrams", datagrams);
        m.put("bytes", bytes);
        m.put("first_ns", firstNs);
        m.put("last_ns", lastNs);
        m.put("goodput_bps", goodputBps());
        m.put("datagrams_total", datagramsTotal);
        m.put("bytes_total", bytesTotal);
        m.put("lost", sequence.lost());
        m.put("duplicates", sequence.duplicates());
        m.put("reordered", sequence.reordered());
        if (unsequenced > 0) {
            m.put("unsequenced", unsequenced);
        }
        if (verify) {
            m.put("verified", verified());
            m.put("pattern_errors", patternErrors);
        }
        return m;
    }
}

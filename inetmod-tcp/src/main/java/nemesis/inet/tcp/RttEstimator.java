package nemesis.inet.tcp;

/**
 * The retransmission timeout of RFC 6298 (Jacobson/Karels), in nanoseconds: measured RTTs are exact
 * (the caller's time axis), only the timer that uses the result runs on the slow tick.
 *
 * <pre>
 * first sample R:   SRTT = R, RTTVAR = R/2                                   (2.2)
 * later samples R': RTTVAR = 3/4 RTTVAR + 1/4 |SRTT - R'|,  SRTT = 7/8 SRTT + 1/8 R'   (2.3)
 * RTO = SRTT + max(G, 4 RTTVAR), within [min RTO, max RTO]                  (2.4), (2.5)
 * before any sample: the initial RTO (1 s)                                   (2.1)
 * </pre>
 *
 * Backoff is the connection's business (4.4BSD's {@code tcp_backoff[]}); {@link #invalidate()}
 * forgets the estimate after repeated timeouts (RFC 6298 §5, 4.4BSD after
 * {@code TCP_MAXRXTSHIFT / 4} backoffs) so that the next sample starts afresh.
 */
public final class RttEstimator {
    /** α = 1/8, β = 1/4, K = 4 (RFC 6298 §2). */
    private static final int ALPHA_SHIFT = 3;
    private static final int BETA_SHIFT = 2;
    private static final int K = 4;

    private final long initialRtoNs;
    private final long minRtoNs;
    private final long maxRtoNs;
    private final long granularityNs;
    private boolean valid;
    private long srttNs;
    private long rttvarNs;
    private long rtoNs;
    private long samples;

    public RttEstimator(long initialRtoNs, long minRtoNs, long maxRtoNs, long granularityNs) {
        this.initialRtoNs = initialRtoNs;
        this.minRtoNs = minRtoNs;
        this.maxRtoNs = maxRtoNs;
        this.granularityNs = granularityNs;
        this.rtoNs = clamp(initialRtoNs);
    }

    RttEstimator(TcpConfig c) {
        this(c.initialRtoNs(), c.minRtoNs(), c.maxRtoNs(), c.rtoGranularityNs());
    }

    /** One measured round-trip time. */
    public void sample(long rttNs) {
        long r = Math.max(rttNs, 0);
        samples++;
        if (!valid) {
            srttNs = r;
            rttvarNs = r / 2;
            valid = true;
        } else {
            long err = Math.abs(srttNs - r);
            rttvarNs += (err - rttvarNs) >> BETA_SHIFT;
            srttNs += (r - srttNs) >> ALPHA_SHIFT;
        }
        rtoNs = clamp(srttNs + Math.max(granularityNs, K * rttvarNs));
    }

    /** Forget SRTT and RTTVAR; the RTO stays until the next sample (RFC 6298 §5 note on (5.7)). */
    public void invalidate() {
        valid = false;
    }

    private long clamp(long v) {
        return Math.min(maxRtoNs, Math.max(minRtoNs, v));
    }

    /** The current RTO, without backoff. */
    public long rtoNs() {
        return rtoNs;
    }

    /** The smoothed RTT, or 0 before a sample. */
    public long srttNs() {
        return valid ? srttNs : 0;
    }

    public long rttvarNs() {
        return valid ? rttvarNs : 0;
    }

    public boolean hasEstimate() {
        return valid;
    }

    public long samples() {
        return samples;
    }

    public long initialRtoNs() {
        return initialRtoNs;
    }
}

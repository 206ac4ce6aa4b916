package nemesis.inet.tcp;

/**
 * Every tunable of a {@link TcpConnection}, each with its source. Build with {@link #modern()},
 * {@link #bsd44()} or {@link #builder()}, change with {@link #toBuilder()}.
 *
 * <h2>Defaults ({@link #modern()})</h2>
 * <table>
 * <caption>defaults</caption>
 * <tr><td>mss</td><td>1460</td><td>Ethernet MTU 1500 − 40 (RFC 9293 §3.7.1, RFC 6691: options not subtracted)</td></tr>
 * <tr><td>receive/send buffer</td><td>256 KiB</td><td>a window scale of 3; the Nemesis shell computes the window it can take itself</td></tr>
 * <tr><td>window scaling, timestamps, SACK</td><td>on</td><td>RFC 7323, RFC 2018; each end must offer them</td></tr>
 * <tr><td>Nagle</td><td>on</td><td>RFC 896, RFC 1122 §4.2.3.4</td></tr>
 * <tr><td>delayed ACK</td><td>on, every 2nd full segment, else at the next 200 ms tick</td><td>4.4BSD {@code tcp_fasttimo}; RFC 5681 §4.2 (≤ 500 ms, every 2nd segment)</td></tr>
 * <tr><td>slow tick</td><td>500 ms</td><td>4.4BSD {@code PR_SLOWHZ} = 2</td></tr>
 * <tr><td>initial / min / max RTO</td><td>1 s / 1 s / 60 s</td><td>RFC 6298 §2.1, (2.4), (2.5)</td></tr>
 * <tr><td>RTO granularity G</td><td>500 ms</td><td>RFC 6298 §2: the retransmission timer's clock is the slow tick</td></tr>
 * <tr><td>MSL</td><td>30 s (TIME-WAIT 60 s)</td><td>4.4BSD {@code TCPTV_MSL}; RFC 9293 says 2 min, practice has long been 30 s</td></tr>
 * <tr><td>FIN-WAIT-2 timeout</td><td>10 min</td><td>4.4BSD {@code tcp_maxidle} = 8 × 75 s</td></tr>
 * <tr><td>keepalive</td><td>off; 2 h idle, 75 s interval, 8 probes</td><td>RFC 1122 §4.2.3.6; 4.4BSD {@code TCPTV_KEEP_IDLE}, {@code TCPTV_KEEPINTVL}, {@code TCPTV_KEEPCNT}</td></tr>
 * <tr><td>persist</td><td>5 s .. 60 s</td><td>4.4BSD {@code TCPTV_PERSMIN}, {@code TCPTV_PERSMAX}</td></tr>
 * <tr><td>initial window</td><td>RFC 5681 (3.1): min(4·SMSS, max(2·SMSS, 4380)), 3 segments of 1460</td><td>RFC 5681 §3.1</td></tr>
 * <tr><td>SYN retries / data retries</td><td>6 / 12</td><td>Linux {@code tcp_syn_retries}; 4.4BSD {@code TCP_MAXRXTSHIFT}</td></tr>
 * <tr><td>challenge ACKs</td><td>10 per second per connection</td><td>RFC 5961 §7 (a limit is required; the value is ours)</td></tr>
 * <tr><td>duplicate ACK threshold</td><td>3</td><td>RFC 5681 §3.2, RFC 6675 DupThresh</td></tr>
 * </table>
 *
 * <p>{@link #bsd44()} is 4.4BSD-Lite as Wright and Stevens (TCP/IP Illustrated Vol. 2) describe it
 * for the paper's machines: no window scaling, timestamps or SACK, 8 KiB buffers
 * ({@code tcp_sendspace}, {@code tcp_recvspace}), an initial window of one segment.
 *
 * @param mss                our MSS: the MSS option we send, and the most data we put in a segment
 * @param receiveBuffer      bytes: the reassembly store and the most window we advertise
 * @param sendBuffer         bytes the application may queue unacknowledged (advisory: the
 *                           application's {@link SendStream} enforces it)
 * @param fastTickNs         the fast timer's period (delayed ACKs go at its boundaries)
 * @param slowTickNs         the slow timer's period (retransmit, persist, keepalive, FIN-WAIT-2 and 2MSL
 *                           deadlines fall on its boundaries)
 * @param ackEvery           with delayed ACKs: acknowledge at once when this many full-sized segments wait
 * @param quickAckSegments   acknowledge each of the first this many data segments at once (Linux's
 *                           quick-ACK mode; 0 for BSD)
 * @param initialWindow      the initial congestion window in segments, or 0 for RFC 5681's formula
 * @param isnKey0            half of the RFC 6528 secret key (with {@code isnKey1}); fixed so runs repeat
 */
public record TcpConfig(
        int mss, int receiveBuffer, int sendBuffer,
        boolean windowScaling, boolean timestamps, boolean sack,
        boolean nagle,
        boolean delayedAck, int ackEvery, int quickAckSegments, long fastTickNs,
        long slowTickNs,
        long initialRtoNs, long minRtoNs, long maxRtoNs, long rtoGranularityNs,
        long mslNs, long finWait2TimeoutNs,
        boolean keepalive, long keepIdleNs, long keepIntervalNs, int keepCount,
        long persistMinNs, long persistMaxNs,
        long isnKey0, long isnKey1,
        int initialWindow, int maxSynRetries, int maxRetries,
        int challengeAckLimit, long challengeAckIntervalNs,
        int dupThresh) {

    static final long MS = 1_000_000L;
    static final long S = 1_000_000_000L;

    public TcpConfig {
        if (mss < 64 || mss > 65495) {
            throw new IllegalArgumentException("mss must be 64..65495: " + mss);
        }
        if (receiveBuffer < 1 || receiveBuffer > (1 << 30) || sendBuffer < 1) {
            throw new IllegalArgumentException("buffers must be 1..2^30 bytes: " + receiveBuffer + ", " + sendBuffer);
        }
        if (fastTickNs <= 0 || slowTickNs <= 0) {
            throw new IllegalArgumentException("ticks must be > 0");
        }
        if (ackEvery < 1 || quickAckSegments < 0) {
            throw new IllegalArgumentException("ackEvery >= 1, quickAckSegments >= 0");
        }
        if (minRtoNs <= 0 || maxRtoNs < minRtoNs || initialRtoNs <= 0 || rtoGranularityNs < 0) {
            throw new IllegalArgumentException("0 < minRto <= maxRto, initialRto > 0");
        }
        if (mslNs <= 0 || finWait2TimeoutNs <= 0 || keepIdleNs <= 0 || keepIntervalNs <= 0 || keepCount < 1) {
            throw new IllegalArgumentException("MSL, FIN-WAIT-2 timeout and keepalive times must be > 0");
        }
        if (persistMinNs <= 0 || persistMaxNs < persistMinNs) {
            throw new IllegalArgumentException("0 < persistMin <= persistMax");
        }
        if (initialWindow < 0 || maxSynRetries < 0 || maxRetries < 1 || maxRetries > TcpConnection.MAX_RXT_SHIFT
                || maxSynRetries > TcpConnection.MAX_RXT_SHIFT) {
            throw new IllegalArgumentException("initialWindow >= 0, retries 0..12");
        }
        if (challengeAckLimit < 0 || challengeAckIntervalNs <= 0 || dupThresh < 1) {
            throw new IllegalArgumentException("challengeAckLimit >= 0, interval > 0, dupThresh >= 1");
        }
    }

    /** Every option on, the defaults in the table above. */
    public static TcpConfig modern() {
        return builder().build();
    }

    /** 4.4BSD-Lite: no window scaling, timestamps or SACK, 8 KiB buffers, an initial window of one segment. */
    public static TcpConfig bsd44() {
        return builder().windowScaling(false).timestamps(false).sack(false).receiveBuffer(8192).sendBuffer(8192)
                .initialWindow(1).build();
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        Builder b = new Builder();
        b.mss = mss;
        b.receiveBuffer = receiveBuffer;
        b.sendBuffer = sendBuffer;
        b.windowScaling = windowScaling;
        b.timestamps = timestamps;
        b.sack = sack;
        b.nagle = nagle;
        b.delayedAck = delayedAck;
        b.ackEvery = ackEvery;
        b.quickAckSegments = quickAckSegments;
        b.fastTickNs = fastTickNs;
        b.slowTickNs = slowTickNs;
        b.initialRtoNs = initialRtoNs;
        b.minRtoNs = minRtoNs;
        b.maxRtoNs = maxRtoNs;
        b.rtoGranularityNs = rtoGranularityNs;
        b.mslNs = mslNs;
        b.finWait2TimeoutNs = finWait2TimeoutNs;
        b.keepalive = keepalive;
        b.keepIdleNs = keepIdleNs;
        b.keepIntervalNs = keepIntervalNs;
        b.keepCount = keepCount;
        b.persistMinNs = persistMinNs;
        b.persistMaxNs = persistMaxNs;
        b.isnKey0 = isnKey0;
        b.isnKey1 = isnKey1;
        b.initialWindow = initialWindow;
        b.maxSynRetries = maxSynRetries;
        b.maxRetries = maxRetries;
        b.challengeAckLimit = challengeAckLimit;
        b.challengeAckIntervalNs = challengeAckIntervalNs;
        b.dupThresh = dupThresh;
        return b;
    }

    /** The window scale shift we offer: the least that fits the receive buffer in 16 bits, at most 14 (RFC 7323 §2.3). */
    public int receiveScale() {
        int s = 0;
        while (s < TcpConnection.MAX_WSCALE && (receiveBuffer >>> s) > TcpConnection.TCP_MAXWIN) {
            s++;
        }
        return s;
    }

    public TcpConfig withMsl(long ns) {
        return toBuilder().mslNs(ns).build();
    }

    public TcpConfig withNagle(boolean on) {
        return toBuilder().nagle(on).build();
    }

    public TcpConfig withDelayedAck(boolean on) {
        return toBuilder().delayedAck(on).build();
    }

    public TcpConfig withBuffers(int receive, int send) {
        return toBuilder().receiveBuffer(receive).sendBuffer(send).build();
    }

    public TcpConfig withIsnKey(long k0, long k1) {
        return toBuilder().isnKey0(k0).isnKey1(k1).build();
    }

    /** Builds a {@link TcpConfig}; starts at the {@link #modern()} defaults. */
    public static final class Builder {
        private int mss = 1460;
        private int receiveBuffer = 256 * 1024;
        private int sendBuffer = 256 * 1024;
        private boolean windowScaling = true;
        private boolean timestamps = true;
        private boolean sack = true;
        private boolean nagle = true;
        private boolean delayedAck = true;
        private int ackEvery = 2;
        private int quickAckSegments = 0;
        private long fastTickNs = 200 * MS;
        private long slowTickNs = 500 * MS;
        private long initialRtoNs = 1 * S;
        private long minRtoNs = 1 * S;
        private long maxRtoNs = 60 * S;
        private long rtoGranularityNs = 500 * MS;
        private long mslNs = 30 * S;
        private long finWait2TimeoutNs = 600 * S;
        private boolean keepalive = false;
        private long keepIdleNs = 2 * 3600 * S;
        private long keepIntervalNs = 75 * S;
        private int keepCount = 8;
        private long persistMinNs = 5 * S;
        private long persistMaxNs = 60 * S;
        private long isnKey0 = 0x0706050403020100L;
        private long isnKey1 = 0x0F0E0D0C0B0A0908L;
        private int initialWindow = 0;
        private int maxSynRetries = 6;
        private int maxRetries = 12;
        private int challengeAckLimit = 10;
        private long challengeAckIntervalNs = 1 * S;
        private int dupThresh = 3;

        public Builder mss(int v) { mss = v; return this; }
        public Builder receiveBuffer(int v) { receiveBuffer = v; return this; }
        public Builder sendBuffer(int v) { sendBuffer = v; return this; }
        public Builder windowScaling(boolean v) { windowScaling = v; return this; }
        public Builder timestamps(boolean v) { timestamps = v; return this; }
        public Builder sack(boolean v) { sack = v; return this; }
        public Builder nagle(boolean v) { nagle = v; return this; }
        public Builder delayedAck(boolean v) { delayedAck = v; return this; }
        public Builder ackEvery(int v) { ackEvery = v; return this; }
        public Builder quickAckSegments(int v) { quickAckSegments = v; return this; }
        public Builder fastTickNs(long v) { fastTickNs = v; return this; }
        public Builder slowTickNs(long v) { slowTickNs = v; return this; }
        public Builder initialRtoNs(long v) { initialRtoNs = v; return this; }
        public Builder minRtoNs(long v) { minRtoNs = v; return this; }
        public Builder maxRtoNs(long v) { maxRtoNs = v; return this; }
        public Builder rtoGranularityNs(long v) { rtoGranularityNs = v; return this; }
        public Builder mslNs(long v) { mslNs = v; return this; }
        public Builder finWait2TimeoutNs(long v) { finWait2TimeoutNs = v; return this; }
        public Builder keepalive(boolean v) { keepalive = v; return this; }
        public Builder keepIdleNs(long v) { keepIdleNs = v; return this; }
        public Builder keepIntervalNs(long v) { keepIntervalNs = v; return this; }
        public Builder keepCount(int v) { keepCount = v; return this; }
        public Builder persistMinNs(long v) { persistMinNs = v; return this; }
        public Builder persistMaxNs(long v) { persistMaxNs = v; return this; }
        public Builder isnKey0(long v) { isnKey0 = v; return this; }
        public Builder isnKey1(long v) { isnKey1 = v; return this; }
        public Builder initialWindow(int v) { initialWindow = v; return this; }
        public Builder maxSynRetries(int v) { maxSynRetries = v; return this; }
        public Builder maxRetries(int v) { maxRetries = v; return this; }
        public Builder challengeAckLimit(int v) { challengeAckLimit = v; return this; }
        public Builder challengeAckIntervalNs(long v) { challengeAckIntervalNs = v; return this; }
        public Builder dupThresh(int v) { dupThresh = v; return this; }

        public TcpConfig build() {
            return new TcpConfig(mss, receiveBuffer, sendBuffer, windowScaling, timestamps, sack, nagle, delayedAck,
                    ackEvery, quickAckSegments, fastTickNs, slowTickNs, initialRtoNs, minRtoNs, maxRtoNs,
                    rtoGranularityNs, mslNs, finWait2TimeoutNs, keepalive, keepIdleNs, keepIntervalNs, keepCount,
                    persistMinNs, persistMaxNs, isnKey0, isnKey1, initialWindow, maxSynRetries, maxRetries,
                    challengeAckLimit, challengeAckIntervalNs, dupThresh);
        }
    }
}

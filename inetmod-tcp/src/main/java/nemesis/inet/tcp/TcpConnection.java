package nemesis.inet.tcp;

import java.lang.foreign.MemorySegment;
import nemesis.inet.tcp.TcpCounters.Drop;
import nemesis.inet.tcp.TcpCounters.Event;
import nemesis.inet.wire.TcpHeader;
import nemesis.inet.wire.TcpHeaderOut;

/**
 * One TCP connection: the control block ({@code tcpcb}), its input ({@code tcp_input}), output
 * ({@code tcp_output}) and timers ({@code tcp_timers}), after 4.4BSD as Wright and Stevens describe
 * it (TCP/IP Illustrated Vol. 2), brought up to date. Our own code.
 *
 * <h2>Read first</h2>
 * RFC 9293 (TCP, §3.10 event processing), RFC 5681 (congestion control), RFC 6298 (RTO),
 * RFC 6582 (NewReno), RFC 7323 (window scale, timestamps, PAWS), RFC 2018 (SACK), RFC 6675 (SACK
 * loss recovery), RFC 5961 (blind in-window attacks: challenge ACKs), RFC 6528 (ISNs), and
 * RFC 1122 §4.2 (delayed ACK, SWS avoidance, keepalive).
 *
 * <h2>Pure</h2>
 * No threads, no clock, no I/O: every call takes the time ({@code nowNs}); segments leave through a
 * {@link TcpOutput}; data is the application's ({@link SendStream} by stream offset, never copied on
 * the way out; {@link ReceiveStream} for in-order bytes). {@link #nextTimerNs()} is the earliest
 * deadline at which {@link #onTimer} has work; calling it early does nothing, calling it late does
 * what is due. Not thread-safe: the Nemesis shell serialises calls. Callbacks must not call back.
 *
 * <h2>Timers (4.4BSD's tick model)</h2>
 * The delayed ACK goes at a <em>fast tick</em>: the first multiple of {@code fastTickNs} (200 ms)
 * strictly after the ACK was deferred. Retransmit, persist, keepalive, FIN-WAIT-2 and 2MSL
 * timers count <em>slow ticks</em> (500 ms): a timer of {@code n} ticks armed at {@code t} expires
 * at the {@code n}-th multiple of {@code slowTickNs} strictly after {@code t}, with
 * {@code n = max(1, ceil(interval / tick))} — exactly when BSD's {@code tcp_slowtimo}, run at each
 * boundary, would count it down to zero. So a timer's real length lies in
 * {@code (interval − tick, interval]} rounded to ticks, as in BSD (an RTO of 1 s fires 0.5–1 s after
 * the segment). Deadlines are stored as absolute times, so {@link #nextTimerNs()} is exact.
 * Round-trip times are measured exactly, in ns.
 *
 * <h2>Sequence numbers</h2>
 * Inside, sequence numbers are 64-bit and unwrapped, counted from the ISN (send side) and the IRS
 * (receive side): our SYN is 0, the first data byte 1 (stream offset 0), our FIN one past the last
 * byte. Segments' 32-bit fields are unwrapped against SND.UNA and RCV.NXT (the nearest value),
 * which is exact while windows stay below 2^31 (RFC 7323 caps them at 2^30).
 *
 * <h2>Use (what the caller calls, in order)</h2>
 * <ul>
 * <li>Active open: {@code new TcpConnection(cfg, localIp, localPort, remoteIp, remotePort, out,
 *   send, receive, listener)}, {@link #connect}; the SYN goes at once; ESTABLISHED is reported to
 *   the listener when the SYN-ACK arrives.</li>
 * <li>Passive open: one connection per flow, created when its SYN arrives (remote port 0 takes the
 *   SYN's source), {@link #listen}, then {@link #input} of that SYN: SYN-RECEIVED, the SYN-ACK goes;
 *   ESTABLISHED on the ACK (accept the socket then). A connection reset in SYN-RECEIVED returns to
 *   LISTEN (RFC 9293): drop it. Segments for ports nobody listens on: {@link TcpResets#answer}.</li>
 * <li>Every segment for the flow: {@link TcpHeader#validate} (checksum), then {@link #input}.</li>
 * <li>Timers: whenever {@code now >= }{@link #nextTimerNs()}, {@link #onTimer}; re-read
 *   {@code nextTimerNs()} after every call (any call may move it).</li>
 * <li>Sending: the application's bytes join the {@link SendStream} (its {@code end()} grows), then
 *   {@link #send}; {@link SendStream#acknowledged} gives buffers back as ACKs arrive.</li>
 * <li>Receiving: {@link ReceiveStream#deliver} hands in-order bytes over (never more than
 *   {@link ReceiveStream#space()}); when the application has consumed some,
 *   {@link #receiveWindowOpened} (it may deliver held bytes, send a window update, and is when
 *   the every-second-segment ACK goes if it waited for the reader).</li>
 * <li>Closing: {@link #shutdownOutput} (half-close; FIN after the queued data) or {@link #close}
 *   (also: no more data is taken), or {@link #abort} (RST). The connection is done when the
 *   listener sees {@code =>CLOSED} ({@link #closeReason()} says why): after TIME-WAIT (2·MSL),
 *   LAST-ACK, a reset, a timeout.</li>
 * </ul>
 * None of the callbacks ({@link TcpOutput}, the streams, the {@link TcpListener}) may call back
 * into the connection: note what happened and act after the call returns (as {@code HostStack}
 * does).
 */
public final class TcpConnection {
    public static final long NEVER = Long.MAX_VALUE;
    /** RFC 9293 §3.7.1, RFC 1122 §4.2.2.6: the send MSS when the peer sends no MSS option. */
    public static final int DEFAULT_MSS = 536;
    /** The least MSS we accept from a peer (a smaller option is raised to it; BSD uses 32, Linux 88). */
    public static final int MIN_PEER_MSS = 64;
    /** RFC 7323 §2.3: the largest shift count. */
    public static final int MAX_WSCALE = 14;
    /** The largest window field (RFC 9293 §3.1). */
    public static final int TCP_MAXWIN = 65535;
    /** 4.4BSD {@code TCP_MAXRXTSHIFT}: the most consecutive backoffs. */
    public static final int MAX_RXT_SHIFT = 12;
    /** 4.4BSD {@code tcp_backoff[]}: the RTO multiplier after n consecutive timeouts. */
    static final int[] BACKOFF = {1, 2, 4, 8, 16, 32, 64, 64, 64, 64, 64, 64, 64};
    /** RFC 7323 §5.5: TS.Recent older than 24 days is invalid. */
    static final long PAWS_IDLE_NS = 24L * 24 * 3600 * 1_000_000_000L;
    /** RFC 7323 §5.4: the timestamp clock ticks every millisecond (the range is 1 ms .. 1 s). */
    public static final long TS_TICK_NS = 1_000_000L;
    /** NOP, NOP, timestamps: the option bytes every segment carries once they are negotiated. */
    static final int TS_OPTION_BYTES = 12;
    /** The most option space SACK blocks take (NOP, NOP, kind, length, 4 blocks). */
    static final int MAX_SACK_OPTION_BYTES = 36;

    private static final int SYN = TcpHeader.SYN;
    private static final int FIN = TcpHeader.FIN;
    private static final int RST = TcpHeader.RST;
    private static final int ACK = TcpHeader.ACK;
    private static final int PSH = TcpHeader.PSH;

    /**
     * 4.4BSD {@code tcp_outflags[]}: the control bits a segment sent in each state carries (SYN
     * only while our SYN is unacknowledged, FIN only when the segment reaches it).
     */
    private static final int[] OUTFLAGS = new int[TcpState.values().length];

    static {
        OUTFLAGS[TcpState.CLOSED.ordinal()] = RST | ACK;
        OUTFLAGS[TcpState.LISTEN.ordinal()] = 0;
        OUTFLAGS[TcpState.SYN_SENT.ordinal()] = SYN;
        OUTFLAGS[TcpState.SYN_RECEIVED.ordinal()] = SYN | ACK;
        OUTFLAGS[TcpState.ESTABLISHED.ordinal()] = ACK;
        OUTFLAGS[TcpState.CLOSE_WAIT.ordinal()] = ACK;
        OUTFLAGS[TcpState.FIN_WAIT_1.ordinal()] = FIN | ACK;
        OUTFLAGS[TcpState.CLOSING.ordinal()] = FIN | ACK;
        OUTFLAGS[TcpState.LAST_ACK.ordinal()] = FIN | ACK;
        OUTFLAGS[TcpState.FIN_WAIT_2.ordinal()] = ACK;
        OUTFLAGS[TcpState.TIME_WAIT.ordinal()] = ACK;
    }

    // ---- identity and collaborators
    private final TcpConfig cfg;
    private final int localIp;
    private final int localPort;
    private int remoteIp;
    private int remotePort;
    private final TcpOutput out;
    private final SendStream snd;
    private final ReceiveStream rcv;
    private final TcpListener listener;
    private final TcpHeaderOut hdr = new TcpHeaderOut();
    private final TcpCounters counters = new TcpCounters();
    private final RttEstimator rtt;
    private final ReassemblyStore store;
    private final SackScoreboard board = new SackScoreboard();
    private final long[] sackLeft = new long[TcpHeader.MAX_SACK_BLOCKS];
    private final long[] sackRight = new long[TcpHeader.MAX_SACK_BLOCKS];

    // ---- state
    private TcpState state = TcpState.CLOSED;
    private CloseReason closeReason = CloseReason.NONE;
    /** Opened from LISTEN (a reset SYN-RECEIVED goes back there). */
    private boolean passive;
    /** {@link #close()} was called: the application takes no more data. */
    private boolean rcvClosed;
    /** The application asked for a FIN before the connection could send one (SYN-SENT). */
    private boolean finWanted;

    // ---- send sequence space (unwrapped; 0 = ISS)
    private int iss;
    private long sndUna;
    private long sndNxt;
    private long sndMax;
    private long sndWnd;
    private long sndWl1;
    private long sndWl2;
    /** RFC 5961 MAX.SND.WND: the largest window the peer offered. */
    private long maxSndWnd;
    /** Where our FIN is, once the application's data ended; -1 before. */
    private long finAbs = -1;
    /** Stream offset last reported to {@link SendStream#acknowledged}. */
    private long ackedReported;
    private int sndScale;
    private int rcvScale;
    private boolean wsOk;
    private boolean tsOk;
    private boolean sackOk;
    private int peerMss = DEFAULT_MSS;
    private boolean synRetransmitted;
    /** The window our SYN offered (unscaled). */
    private long synWindow;

    // ---- receive sequence space (unwrapped; 0 = IRS)
    private int irs;
    private long rcvNxt;
    private long rcvAdv;
    /** Where the peer's FIN is, once seen (possibly out of order); -1 before. */
    private long rcvFinAbs = -1;
    private boolean finReceived;
    private long unackedBytes;
    private int quickAcksLeft;
    /** The window our last ACK advertised (RCV.ADV − RCV.NXT then). */
    private long lastWndAdvertised;

    // ---- congestion control (RFC 5681, 6582, 6675)
    private long cwnd;
    private long ssthresh;
    private int dupAcks;
    /** RFC 6582 "recover" / RFC 6675 RecoveryPoint: SND.MAX when recovery began (exclusive). */
    private long recover;
    private boolean inRecovery;
    /** RFC 6675 HighRxt (exclusive: one past the highest retransmitted) and RescueRxt. */
    private long highRxt;
    private long rescueRxt;
    private long pipe;
    private boolean firstPartialAck;

    // ---- round-trip timing
    /** The sequence number being timed (Karn: never a retransmitted one), -1 if none. */
    private long rttSeq = -1;
    private long rttStartNs;
    /** After a retransmission: take the next sample from the timestamp echo (RFC 7323 §4). */
    private boolean tsSampleWanted;
    private int rxtShift;
    /** The current retransmission timeout with backoff (BSD {@code t_rxtcur}). */
    private long rxtCurNs;

    // ---- timestamps (RFC 7323)
    private int tsOffset;
    private int tsRecent;
    private long tsRecentAgeNs;
    private boolean tsRecentValid;
    private long lastAckSent;

    // ---- timers: absolute deadlines (NEVER when not armed)
    private long delAckAt = NEVER;
    private long rexmtAt = NEVER;
    private long persistAt = NEVER;
    private long keepAt = NEVER;
    private long finWait2At = NEVER;
    private long timeWaitAt = NEVER;
    private boolean delAck;
    private boolean ackNow;
    /** Output forced by the persist timer (BSD {@code t_force}). */
    private boolean force;
    private int keepProbes;
    private long lastReceiveNs;

    // ---- RFC 5961 §7 challenge ACK throttling
    private long challengeWindowStartNs = Long.MIN_VALUE;
    private int challengeCount;

    /**
     * @param remoteIp   the peer, or 0 with remote port 0 for a passive connection that takes the
     *                   first SYN's source
     */
    public TcpConnection(TcpConfig config, int localIp, int localPort, int remoteIp, int remotePort, TcpOutput out,
                         SendStream snd, ReceiveStream rcv, TcpListener listener) {
        if (localPort < 1 || localPort > 0xFFFF || remotePort < 0 || remotePort > 0xFFFF) {
            throw new IllegalArgumentException("ports: local 1..65535, remote 0..65535: " + localPort + ", " + remotePort);
        }
        this.cfg = config;
        this.localIp = localIp;
        this.localPort = localPort;
        this.remoteIp = remoteIp;
        this.remotePort = remotePort;
        this.out = out;
        this.snd = snd;
        this.rcv = rcv;
        this.listener = listener == null ? TcpListener.NONE : listener;
        this.rtt = new RttEstimator(config);
        this.store = new ReassemblyStore(config.receiveBuffer());
        this.rxtCurNs = rtt.rtoNs();
    }

    // ==========================================================================================
    // User calls (RFC 9293 §3.10.1 – §3.10.6)
    // ==========================================================================================

    /** Active open: sends a SYN (CLOSED → SYN-SENT). */
    public void connect(long now) {
        if (state != TcpState.CLOSED) {
            throw new IllegalStateException("connect in " + state);
        }
        if (remotePort == 0) {
            throw new IllegalStateException("connect needs a remote port");
        }
        passive = false;
        iss = Isn.isn(cfg.isnKey0(), cfg.isnKey1(), localIp, localPort, remoteIp, remotePort, now);
        initSendSpace(now);
        // We offer what the configuration enables; what is used depends on the peer's SYN.
        rcvScale = cfg.windowScaling() ? cfg.receiveScale() : 0;
        setState(TcpState.SYN_SENT, now);
        output(now);
    }

    /** Passive open: CLOSED → LISTEN; the next {@link #input} of a SYN starts the handshake. */
    public void listen(long now) {
        if (state != TcpState.CLOSED) {
            throw new IllegalStateException("listen in " + state);
        }
        passive = true;
        setState(TcpState.LISTEN, now);
    }

    /** The send stream has more bytes (or its FIN was queued): send what the windows allow. */
    public void send(long now) {
        if (finAbs < 0 && snd.finQueued()) {
            shutdownOutput(now);
            return;
        }
        if (state == TcpState.ESTABLISHED || state == TcpState.CLOSE_WAIT) {
            output(now);
        }
    }

    /** The application consumed received data: deliver what waited for space, maybe a window update. */
    public void receiveWindowOpened(long now) {
        if (!state.haveReceivedSyn() || state == TcpState.TIME_WAIT) {
            return;
        }
        if (pullFromStore() && rcvFinAbs >= 0 && rcvNxt == rcvFinAbs && !finReceived) {
            finInput(now);
        }
        if (delAck) {
            ackDue();
        }
        output(now);
    }

    /** The sink has room again ({@link TcpOutput#ready}): sends what was held for it. */
    public void outputReady(long now) {
        output(now);
    }

    /**
     * Half-close: a FIN follows the data queued so far; data still flows in. ESTABLISHED →
     * FIN-WAIT-1, CLOSE-WAIT → LAST-ACK; in LISTEN and SYN-SENT the FIN waits for ESTABLISHED.
     */
    public void shutdownOutput(long now) {
        switch (state) {
            case CLOSED -> { }
            case LISTEN, SYN_SENT -> finWanted = true;
            case SYN_RECEIVED, ESTABLISHED -> {
                placeFin();
                setState(TcpState.FIN_WAIT_1, now);
                output(now);
            }
            case CLOSE_WAIT -> {
                placeFin();
                setState(TcpState.LAST_ACK, now);
                output(now);
            }
            default -> { } // already closing
        }
    }

    /**
     * Close: the FIN as {@link #shutdownOutput}, and the application takes no more data (data that
     * still arrives resets the connection; FIN-WAIT-2 is then bounded by its timeout). In LISTEN
     * and SYN-SENT the connection just ends.
     */
    public void close(long now) {
        rcvClosed = true;
        switch (state) {
            case LISTEN, SYN_SENT -> toClosed(CloseReason.ABORTED, now);
            case FIN_WAIT_2 -> armFinWait2(now);
            default -> shutdownOutput(now);
        }
    }

    /** Abort (RFC 9293 §3.10.5): a RST in the synchronized states and SYN-RECEIVED, then CLOSED. */
    public void abort(long now) {
        if (state == TcpState.CLOSED) {
            return;
        }
        if (state.haveReceivedSyn() && state != TcpState.TIME_WAIT) {
            sendReset(now);
        }
        toClosed(CloseReason.ABORTED, now);
    }

    // ==========================================================================================
    // Input (tcp_input; RFC 9293 §3.10.7)
    // ==========================================================================================

    /**
     * A segment for this connection, validated ({@link TcpHeader#validate}: checksum, data offset,
     * options parsed). Anything such a segment can hold is handled: no input makes this throw.
     */
    public void input(TcpHeader seg, long now) {
        counters.add(Event.SEGS_RECEIVED);
        if (seg.dstPort() != localPort
                || (remotePort != 0 && seg.srcPort() != remotePort)
                || (remoteIp != 0 && seg.srcIp() != 0 && seg.srcIp() != remoteIp)) {
            drop(Drop.WRONG_CONNECTION);
            return;
        }
        switch (state) {
            case CLOSED -> {
                drop(Drop.CLOSED);
                respondReset(seg);
            }
            case LISTEN -> listenInput(seg, now);
            case SYN_SENT -> synSentInput(seg, now);
            default -> synchronizedInput(seg, now);
        }
    }

    private void drop(Drop why) {
        counters.drop(why);
    }

    private void processed() {
        counters.add(Event.SEGS_PROCESSED);
    }

    /** RFC 9293 §3.10.7.2: LISTEN. */
    private void listenInput(TcpHeader seg, long now) {
        int f = seg.flags();
        if ((f & RST) != 0) {
            drop(Drop.LISTEN_RST);
            return;
        }
        if ((f & ACK) != 0) {
            drop(Drop.LISTEN_ACK);
            respondReset(seg);
            return;
        }
        if ((f & SYN) == 0) {
            drop(Drop.LISTEN_NO_SYN);
            return;
        }
        processed();
        if (remotePort == 0) {
            remotePort = seg.srcPort();
            remoteIp = seg.srcIp();
        }
        irs = seg.seq();
        rcvNxt = 1;
        rcvAdv = 1;
        lastAckSent = 1;
        negotiate(seg, now);
        iss = Isn.isn(cfg.isnKey0(), cfg.isnKey1(), localIp, localPort, remoteIp, remotePort, now);
        initSendSpace(now);
        // SYN segments' windows are never scaled (RFC 7323 §2.2).
        sndWnd = seg.window();
        maxSndWnd = sndWnd;
        sndWl1 = 0;
        sndWl2 = 0;
        if (seg.payloadLength() > 0) {
            counters.add(Event.SYN_DATA_IGNORED); // not kept: the peer sends it again
        }
        lastReceiveNs = now;
        setState(TcpState.SYN_RECEIVED, now);
        output(now);
    }

    /** RFC 9293 §3.10.7.3: SYN-SENT. */
    private void synSentInput(TcpHeader seg, long now) {
        int f = seg.flags();
        long ackAbs = 0;
        boolean ackOk = false;
        if ((f & ACK) != 0) {
            ackAbs = sndUna + (seg.ack() - (iss + (int) sndUna));
            // SEG.ACK =< ISS or SEG.ACK > SND.NXT: unacceptable.
            if (ackAbs <= 0 || ackAbs > sndMax) {
                drop(Drop.SYN_SENT_BAD_ACK);
                if ((f & RST) == 0) {
                    respondReset(seg);
                }
                return;
            }
            ackOk = true;
        }
        if ((f & RST) != 0) {
            if (ackOk) {
                processed();
                counters.add(Event.RESETS_RECEIVED);
                toClosed(CloseReason.REFUSED, now);
            } else {
                drop(Drop.SYN_SENT_RST_NO_ACK);
            }
            return;
        }
        if ((f & SYN) == 0) {
            drop(Drop.SYN_SENT_NO_SYN);
            return;
        }
        processed();
        irs = seg.seq();
        rcvNxt = 1;
        rcvAdv = 1 + synWindow; // what our SYN offered
        lastAckSent = 1;
        negotiate(seg, now);
        lastReceiveNs = now;
        if (ackOk) {
            // Our SYN is acknowledged: ESTABLISHED.
            if (rttSeq >= 0 && ackAbs > rttSeq) {
                rtt.sample(now - rttStartNs);
                counters.add(Event.RTT_SAMPLES);
                rttSeq = -1;
                rxtShift = 0;
                rxtCurNs = rtt.rtoNs();
            }
            sndUna = ackAbs;
            sndNxt = Math.max(sndNxt, sndUna);
            sndWnd = seg.window(); // unscaled in a SYN
            maxSndWnd = sndWnd;
            sndWl1 = 0;
            sndWl2 = ackAbs;
            rexmtAt = NEVER;
            established(now);
            ackNow = true;
            // Data or a FIN on the SYN-ACK (RFC 9293: "continue processing at the sixth step").
            int len = seg.payloadLength();
            boolean fin = (f & FIN) != 0;
            if (len > 0 || fin) {
                long wnd = Math.max(0, rcvAdv - rcvNxt);
                int keep = (int) Math.min(len, Math.max(wnd, 0));
                if (keep < len) {
                    fin = false;
                    counters.add(Event.TRIMMED_AT_RIGHT_EDGE);
                }
                dataInput(1, seg.segment(), seg.payloadOffset(), keep, fin, now);
            }
            if (finWanted) {
                shutdownOutput(now);
            }
            output(now);
        } else {
            // Simultaneous open: SYN-SENT → SYN-RECEIVED, answer with SYN-ACK.
            sndWnd = seg.window();
            maxSndWnd = sndWnd;
            sndWl1 = 0;
            sndWl2 = 0;
            setState(TcpState.SYN_RECEIVED, now);
            sndNxt = 0; // the SYN again, now with ACK
            output(now);
        }
    }

    /** RFC 9293 §3.10.7.4: SYN-RECEIVED and the synchronized states. */
    private void synchronizedInput(TcpHeader seg, long now) {
        int f = seg.flags();
        boolean rst = (f & RST) != 0;
        boolean syn = (f & SYN) != 0;
        boolean fin = (f & FIN) != 0;
        MemorySegment data = seg.segment();
        long dataOff = seg.payloadOffset();
        int len = seg.payloadLength();
        final long segSeq = rcvNxt + (seg.seq() - (irs + (int) rcvNxt));
        long seqAbs = segSeq;

        // RFC 7323 §3.2, §5.3 R1: timestamps, and PAWS.
        if (tsOk) {
            if (!seg.hasTimestamps()) {
                if (!rst) {
                    drop(Drop.NO_TIMESTAMP);
                    return;
                }
            } else if (!rst && tsRecentValid && seg.tsVal() - tsRecent < 0) {
                if (now - tsRecentAgeNs > PAWS_IDLE_NS) {
                    tsRecentValid = false; // RFC 7323 §5.5: too old to compare
                    counters.add(Event.TS_RECENT_INVALIDATED);
                } else {
                    drop(Drop.PAWS);
                    ackNow = true;
                    output(now);
                    return;
                }
            }
        }

        // A SYN at the IRS is the peer's SYN (or SYN-ACK) again: our ACK was lost. Strip it and
        // treat the rest as a duplicate (4.4BSD); in SYN-RECEIVED the answer is our SYN-ACK again.
        if (syn && seqAbs == 0 && !rst) {
            syn = false;
            seqAbs = 1;
            counters.add(Event.DUP_SYNS);
            if (state == TcpState.SYN_RECEIVED && (f & ACK) == 0) {
                processed();
                counters.add(Event.SYN_ACK_RETRANSMITS_ON_DUP_SYN);
                sndNxt = 0;
                ackNow = true;
                output(now);
                return;
            }
        }

        // First: the sequence number (RFC 9293 "first check sequence number").
        if (rcvAdv < rcvNxt) {
            rcvAdv = rcvNxt; // a FIN accepted at the right edge
        }
        long wnd = rcvAdv - rcvNxt;
        long segLen = len + (syn ? 1 : 0) + (fin ? 1 : 0);
        boolean acceptable;
        if (segLen == 0) {
            acceptable = wnd == 0 ? seqAbs == rcvNxt : seqAbs >= rcvNxt && seqAbs < rcvNxt + wnd;
        } else {
            acceptable = wnd > 0 && ((seqAbs >= rcvNxt && seqAbs < rcvNxt + wnd)
                    || (seqAbs + segLen - 1 >= rcvNxt && seqAbs + segLen - 1 < rcvNxt + wnd));
        }
        if (!acceptable) {
            if (rst) {
                drop(Drop.RST_OUT_OF_WINDOW);
                return;
            }
            if (syn) {
                synChallenge(now);
                return;
            }
            if (seqAbs + segLen <= rcvNxt) {
                // Entirely old (a duplicate): keep its ACK, drop its data, acknowledge at once
                // (4.4BSD) — unless it is a bare ACK: answering those could start an ACK war.
                if (len > 0) {
                    counters.add(Event.DUP_SEGS);
                    counters.add(Event.DUP_BYTES, len);
                }
                if (segLen > 0) {
                    ackNow = true;
                }
                seqAbs = rcvNxt;
                len = 0;
                fin = false;
            } else if (wnd == 0 && seqAbs == rcvNxt) {
                // A zero-window probe: acknowledge with our window, keep its ACK (4.4BSD).
                counters.add(Event.WINDOW_PROBES_RECEIVED);
                ackNow = true;
                len = 0;
                fin = false;
            } else {
                drop(Drop.OUT_OF_WINDOW);
                ackNow = true;
                output(now);
                return;
            }
        } else {
            // Trim to the window: only the new parts are processed.
            if (seqAbs < rcvNxt) {
                int cut = (int) (rcvNxt - seqAbs);
                if (cut > len) {
                    cut = len;
                }
                dataOff += cut;
                len -= cut;
                seqAbs += cut;
                counters.add(Event.PARTIAL_DUP_SEGS);
                counters.add(Event.DUP_BYTES, cut);
            }
            long right = rcvNxt + wnd;
            if (seqAbs + len > right) {
                len = (int) Math.max(0, right - seqAbs);
                fin = false;
                counters.add(Event.TRIMMED_AT_RIGHT_EDGE);
            }
        }

        // Second: RST (RFC 5961 §3.2: only exactly at RCV.NXT; else a challenge ACK).
        if (rst) {
            if (segSeq == rcvNxt) {
                processed();
                counters.add(Event.RESETS_RECEIVED);
                if (state == TcpState.SYN_RECEIVED && passive) {
                    backToListen(now);
                } else if (state == TcpState.SYN_RECEIVED) {
                    toClosed(CloseReason.REFUSED, now);
                } else if (state == TcpState.CLOSING || state == TcpState.LAST_ACK || state == TcpState.TIME_WAIT) {
                    toClosed(CloseReason.NORMAL, now);
                } else {
                    toClosed(CloseReason.RESET, now);
                }
            } else {
                drop(Drop.RST_NOT_EXACT);
                challengeAck(now);
            }
            return;
        }

        // RFC 7323 §4.3 (2): remember the peer's timestamp for our echoes.
        if (tsOk && seg.hasTimestamps() && segSeq <= lastAckSent
                && (!tsRecentValid || seg.tsVal() - tsRecent >= 0)) {
            tsRecent = seg.tsVal();
            tsRecentAgeNs = now;
            tsRecentValid = true;
        }

        // Fourth: SYN (RFC 5961 §4). RFC 9293 returns a passive SYN-RECEIVED to LISTEN instead;
        // we challenge there too, or one blind SYN would abort a handshake. A peer that really
        // restarted answers the challenge ACK with a RST at RCV.NXT, which does return us to LISTEN.
        if (syn) {
            synChallenge(now);
            return;
        }

        // Fifth: ACK.
        if ((f & ACK) == 0) {
            drop(Drop.NO_ACK);
            if (ackNow) {
                output(now);
            }
            return;
        }
        long ackAbs = sndUna + (seg.ack() - (iss + (int) sndUna));
        if (state == TcpState.SYN_RECEIVED) {
            if (ackAbs > sndUna && ackAbs <= sndMax) {
                sndWnd = (long) seg.window() << sndScale;
                maxSndWnd = Math.max(maxSndWnd, sndWnd);
                sndWl1 = segSeq;
                sndWl2 = ackAbs;
                established(now);
                if (finWanted) {
                    placeFin(); // asked for in LISTEN: it goes after the data (output below)
                    setState(TcpState.FIN_WAIT_1, now);
                }
            } else {
                drop(Drop.SYN_RECEIVED_BAD_ACK);
                respondReset(seg);
                return;
            }
        }
        // RFC 5961 §5.2: SND.UNA − MAX.SND.WND =< SEG.ACK =< SND.NXT (our SND.MAX).
        if (ackAbs > sndMax || ackAbs < sndUna - maxSndWnd) {
            drop(Drop.ACK_UNACCEPTABLE);
            challengeAck(now);
            return;
        }
        lastReceiveNs = now;
        if (cfg.keepalive() && state.isSynchronized()) {
            keepAt = slowDeadline(now, cfg.keepIdleNs());
            keepProbes = 0;
        }
        if (state == TcpState.FIN_WAIT_2 && finWait2At != NEVER) {
            armFinWait2(now); // BSD: FIN-WAIT-2 ends after that long idle
        }
        if (state == TcpState.TIME_WAIT) {
            // Only a retransmitted FIN should come now: acknowledge it, restart the 2MSL timer.
            // A bare ACK is not answered (two ends in TIME-WAIT would ACK each other forever).
            drop(Drop.TIME_WAIT);
            if (segLen > 0) {
                timeWaitAt = slowDeadline(now, 2 * cfg.mslNs());
                ackNow = true;
            }
            if (ackNow) {
                output(now);
            }
            return;
        }
        processed();
        ackInput(seg, ackAbs, segSeq, len, syn, fin, now);
        if (state == TcpState.CLOSED) {
            return;
        }

        // Sixth: URG is not supported (urgent data is delivered inline). Seventh: the text.
        if (len > 0 || fin) {
            if (len > 0 && rcvClosed && state.compareTo(TcpState.CLOSE_WAIT) > 0) {
                // RFC 9293 §3.10.7.4 / 4.4BSD: new data after the application closed: reset.
                counters.add(Event.DATA_IGNORED_AFTER_FIN);
                sendReset(now);
                toClosed(CloseReason.DATA_AFTER_CLOSE, now);
                return;
            }
            if (state == TcpState.ESTABLISHED || state == TcpState.FIN_WAIT_1 || state == TcpState.FIN_WAIT_2) {
                dataInput(seqAbs, data, dataOff, len, fin, now);
            } else if (len > 0) {
                counters.add(Event.DATA_IGNORED_AFTER_FIN);
            }
        }
        output(now);
    }

    /** RFC 5961 §4: a SYN in a synchronized state is answered with a challenge ACK and dropped. */
    private void synChallenge(long now) {
        drop(Drop.SYN_IN_SYNCHRONIZED);
        challengeAck(now);
    }

    /** A passive SYN-RECEIVED that was reset, or saw a new SYN: LISTEN again (RFC 9293). */
    private void backToListen(long now) {
        cancelTimers();
        store.clear();
        board.clear();
        setState(TcpState.LISTEN, now);
    }

    /** RFC 5961 §7: at most {@code challengeAckLimit} challenge ACKs per interval. */
    private void challengeAck(long now) {
        if (challengeWindowStartNs == Long.MIN_VALUE || now - challengeWindowStartNs >= cfg.challengeAckIntervalNs()) {
            challengeWindowStartNs = now;
            challengeCount = 0;
        }
        if (challengeCount >= cfg.challengeAckLimit()) {
            counters.add(Event.CHALLENGE_ACKS_SUPPRESSED);
            return;
        }
        challengeCount++;
        counters.add(Event.CHALLENGE_ACKS);
        ackNow = true;
        output(now);
    }

    /** Options of the peer's SYN, and what is used of ours (RFC 7323 §2.2, §3.2; RFC 2018 §2; RFC 9293 §3.7.1). */
    private void negotiate(TcpHeader seg, long now) {
        int m = seg.mssOption();
        peerMss = m < 0 ? DEFAULT_MSS : Math.max(MIN_PEER_MSS, m);
        wsOk = cfg.windowScaling() && seg.windowScaleOption() >= 0;
        if (wsOk) {
            sndScale = Math.min(seg.windowScaleOption(), MAX_WSCALE);
            rcvScale = cfg.receiveScale();
        } else {
            sndScale = 0;
            rcvScale = 0;
        }
        sackOk = cfg.sack() && seg.sackPermitted();
        tsOk = cfg.timestamps() && seg.hasTimestamps();
        if (tsOk) {
            tsRecent = seg.tsVal();
            tsRecentAgeNs = now;
            tsRecentValid = true;
        }
    }

    private void initSendSpace(long now) {
        sndUna = 0;
        sndNxt = 0;
        sndMax = 0;
        recover = 0;
        ackedReported = 0;
        tsOffset = (int) Isn.f(cfg.isnKey0(), cfg.isnKey1(), localIp, localPort, remoteIp, remotePort, Isn.TAG_TS);
        rttSeq = -1;
        rxtShift = 0;
        rxtCurNs = rtt.rtoNs();
        ssthresh = Long.MAX_VALUE / 4; // RFC 5681 §3.1: "arbitrarily high"
        cwnd = initialWindow();
        lastReceiveNs = now;
    }

    /** SYN-SENT or SYN-RECEIVED reached ESTABLISHED: the congestion window starts (RFC 5681 §3.1). */
    private void established(long now) {
        cwnd = synRetransmitted ? effMss() : initialWindow();
        quickAcksLeft = cfg.quickAckSegments();
        if (cfg.keepalive()) {
            keepAt = slowDeadline(now, cfg.keepIdleNs());
        }
        setState(TcpState.ESTABLISHED, now);
    }

    /** RFC 5681 (3): IW = min(4·SMSS, max(2·SMSS, 4380)), or the configured number of segments. */
    private long initialWindow() {
        long smss = effMss();
        if (cfg.initialWindow() > 0) {
            return cfg.initialWindow() * smss;
        }
        return Math.min(4 * smss, Math.max(2 * smss, 4380));
    }

    // ---- ACK processing (RFC 9293 "fifth, check the ACK field"; RFC 5681, 6582, 6675)

    private void ackInput(TcpHeader seg, long ackAbs, long segSeq, int len, boolean syn, boolean fin, long now) {
        long wndScaled = (long) seg.window() << sndScale;
        // SACK blocks: the scoreboard first (RFC 6675 Update()).
        boolean newSack = false;
        if (sackOk && seg.sackCount() > 0) {
            long floor = Math.max(sndUna, ackAbs);
            for (int i = 0; i < seg.sackCount(); i++) {
                long l = sndUna + (seg.sackLeft(i) - (iss + (int) sndUna));
                long r = sndUna + (seg.sackRight(i) - (iss + (int) sndUna));
                newSack |= board.add(l, r, floor, sndMax);
            }
        }
        if (ackAbs <= sndUna) {
            if (ackAbs < sndUna) {
                counters.add(Event.OLD_ACKS);
            } else if (sndMax > sndUna) {
                // RFC 5681 §2 duplicate ACK; with SACK, RFC 6675 §2 (new SACK information).
                boolean dup5681 = len == 0 && !fin && wndScaled == sndWnd;
                boolean dup = sackOk ? newSack || (dup5681 && seg.sackCount() == 0) : dup5681;
                if (dup) {
                    counters.add(Event.DUP_ACKS);
                    dupAcks++;
                    duplicateAck(now);
                }
            }
        } else {
            newAck(seg, ackAbs, now);
            if (state == TcpState.CLOSED) {
                return;
            }
        }
        // Window update (RFC 9293: SND.WL1 < SEG.SEQ, or = and SND.WL2 =< SEG.ACK).
        if (!syn && (sndWl1 < segSeq || (sndWl1 == segSeq && sndWl2 <= ackAbs))) {
            if (wndScaled != sndWnd) {
                counters.add(Event.WINDOW_UPDATES_RECEIVED);
            }
            sndWnd = wndScaled;
            sndWl1 = segSeq;
            sndWl2 = ackAbs;
            maxSndWnd = Math.max(maxSndWnd, sndWnd);
        }
    }

    /** A duplicate ACK: maybe fast retransmit (RFC 5681 §3.2, RFC 6582 §3.2, RFC 6675 §5). */
    private void duplicateAck(long now) {
        if (inRecovery) {
            if (sackOk) {
                setPipe();
                sackSend(now);
            } else {
                cwnd += effMss(); // RFC 6582 step 3: inflate
                output(now);
            }
            return;
        }
        int thresh = cfg.dupThresh();
        if (sackOk) {
            board.prepare();
            if (dupAcks >= thresh || (!board.isEmpty() && board.isLost(sndUna, thresh, effMss()))) {
                if (sndUna >= recover) {
                    enterSackRecovery(now);
                    return;
                }
                counters.add(Event.FAST_RETRANSMITS_SUPPRESSED);
            }
        } else if (dupAcks == thresh) {
            // RFC 6582 step 2: only if the cumulative ACK covers more than "recover".
            if (sndUna > recover) {
                enterNewRenoRecovery(now);
                return;
            }
            counters.add(Event.FAST_RETRANSMITS_SUPPRESSED);
        }
        if (dupAcks < thresh) {
            limitedTransmit(now);
        }
    }

    /**
     * Limited Transmit (RFC 3042; RFC 6675 step 2.3): on each of the first two duplicate ACKs, one
     * new segment if the receiver's window allows and no more than cwnd + 2·SMSS would be
     * outstanding. cwnd does not change. Small windows then still produce three duplicate ACKs.
     */
    private void limitedTransmit(long now) {
        long smss = effMss();
        long dataEnd = dataEndAbs();
        if (sndNxt != sndMax || sndMax >= dataEnd || sndUna == 0) {
            return;
        }
        long len = Math.min(Math.min(smss, dataEnd - sndMax), sndUna + sndWnd - sndMax);
        if (len <= 0 || sndMax + len - sndUna > cwnd + 2 * smss) {
            return;
        }
        counters.add(Event.LIMITED_TRANSMITS);
        sendNew(sndMax, len, now);
    }

    private void enterNewRenoRecovery(long now) {
        counters.add(Event.FAST_RETRANSMITS);
        long smss = effMss();
        ssthresh = Math.max((sndMax - sndUna) / 2, 2 * smss); // RFC 5681 (4)
        recover = sndMax;
        inRecovery = true;
        firstPartialAck = true;
        rttSeq = -1; // Karn
        tsSampleWanted = true;
        retransmit(sndUna, smss, Event.REXMT_SEGS_FAST, now);
        rexmtAt = slowDeadline(now, rxtCurNs);
        cwnd = ssthresh + (long) cfg.dupThresh() * smss;
        output(now);
    }

    private void enterSackRecovery(long now) {
        counters.add(Event.FAST_RETRANSMITS);
        counters.add(Event.SACK_RECOVERY_ENTRIES);
        long smss = effMss();
        recover = sndMax; // (4.1) RecoveryPoint = HighData
        ssthresh = Math.max((sndMax - sndUna) / 2, 2 * smss); // (4.2)
        cwnd = ssthresh;
        inRecovery = true;
        rttSeq = -1;
        tsSampleWanted = true;
        board.prepare();
        long holeEnd = board.holeEnd(0, sndMax);
        long sent = retransmit(sndUna, Math.min(smss, holeEnd - sndUna), Event.REXMT_SEGS_FAST, now); // (4.3)
        highRxt = sndUna + sent;
        rescueRxt = highRxt;
        rexmtAt = slowDeadline(now, rxtCurNs);
        setPipe(); // (4.4)
        sackSend(now); // (4.5)
    }

    /** An ACK for new data. */
    private void newAck(TcpHeader seg, long ackAbs, long now) {
        counters.add(Event.ACKS_NEW_DATA);
        long acked = ackAbs - sndUna - (sndUna == 0 ? 1 : 0); // our SYN is not data
        // RTT: the timed segment (Karn), or after a retransmission the timestamp echo (RFC 7323 §4.1).
        if (rttSeq >= 0 && ackAbs > rttSeq) {
            sampleRtt(now - rttStartNs);
            rttSeq = -1;
        } else if (tsSampleWanted && tsOk && seg.hasTimestamps() && seg.tsEcr() != 0) {
            int ageMs = tsNow(now) - seg.tsEcr();
            if (ageMs >= 0 && ageMs < 1 << 30) {
                long sentAt = (Math.floorDiv(now, TS_TICK_NS) - ageMs) * TS_TICK_NS + TS_TICK_NS / 2;
                sampleRtt(Math.max(0, now - sentAt));
                counters.add(Event.RTT_SAMPLES_TS);
                tsSampleWanted = false;
            }
        }
        // Congestion control.
        long smss = effMss();
        if (inRecovery) {
            if (ackAbs >= recover) {
                inRecovery = false;
                counters.add(Event.RECOVERY_EXITS);
                if (!sackOk) {
                    // RFC 6582 step 5, full ACK: cwnd = min(ssthresh, max(FlightSize, SMSS) + SMSS).
                    cwnd = Math.min(ssthresh, Math.max(sndMax - ackAbs, smss) + smss);
                }
                dupAcks = 0;
            } else if (!sackOk) {
                // RFC 6582 step 5, partial ACK: retransmit the next hole, deflate, reset the timer once.
                counters.add(Event.PARTIAL_ACKS);
                advanceUna(ackAbs);
                retransmit(sndUna, smss, Event.REXMT_SEGS_PARTIAL_ACK, now);
                cwnd = Math.max(smss, cwnd - acked + (acked >= smss ? smss : 0));
                if (firstPartialAck) {
                    firstPartialAck = false;
                    rexmtAt = slowDeadline(now, rxtCurNs);
                }
                ourFinAcked(now);
                output(now);
                return;
            } else {
                counters.add(Event.PARTIAL_ACKS);
            }
        } else {
            dupAcks = 0;
            if (cwnd < ssthresh) {
                cwnd += Math.min(acked, smss); // RFC 5681 (2), slow start
            } else {
                cwnd += Math.max(1, smss * smss / cwnd); // RFC 5681 (3), congestion avoidance
            }
            cwnd = Math.min(cwnd, (long) TCP_MAXWIN << sndScale);
        }
        advanceUna(ackAbs);
        // RFC 6298 (5.2), (5.3): all acknowledged: stop the timer; else restart it.
        if (sndUna == sndMax) {
            rexmtAt = NEVER;
        } else if (persistAt == NEVER && !(inRecovery && !sackOk)) {
            rexmtAt = slowDeadline(now, rxtCurNs);
        }
        if (inRecovery && sackOk) {
            setPipe(); // (B.2)
            sackSend(now); // (C)
        }
        ourFinAcked(now);
    }

    private void sampleRtt(long ns) {
        rtt.sample(ns);
        counters.add(Event.RTT_SAMPLES);
        rxtShift = 0; // 4.4BSD tcp_xmit_timer: a sample ends the backoff
        rxtCurNs = rtt.rtoNs();
    }

    /** SND.UNA moves: release the acknowledged bytes to the application. */
    private void advanceUna(long ackAbs) {
        sndUna = ackAbs;
        if (sndNxt < sndUna) {
            sndNxt = sndUna;
        }
        board.ackedTo(sndUna);
        if (highRxt < sndUna) {
            highRxt = sndUna;
        }
        long dataEnd = finAbs >= 0 ? finAbs - 1 : snd.end();
        long upTo = Math.min(sndUna - 1, dataEnd);
        if (upTo > ackedReported) {
            ackedReported = upTo;
            snd.acknowledged(upTo);
        }
    }

    /** The state changes that follow our FIN's acknowledgment (RFC 9293 fifth step, per state). */
    private void ourFinAcked(long now) {
        if (finAbs < 0 || sndUna <= finAbs) {
            return;
        }
        switch (state) {
            case FIN_WAIT_1 -> {
                setState(TcpState.FIN_WAIT_2, now);
                if (rcvClosed) {
                    armFinWait2(now);
                }
            }
            case CLOSING -> enterTimeWait(now);
            case LAST_ACK -> toClosed(CloseReason.NORMAL, now);
            default -> { }
        }
    }

    // ---- the text and the FIN (RFC 9293 seventh and eighth steps; 4.4BSD tcp_reass)

    /**
     * Data at {@code s} (≥ RCV.NXT, inside the window) and perhaps a FIN after it: straight to the
     * application when in order and there is space, else into the store. ACK policy of RFC 5681
     * §4.2 and RFC 1122 §4.2.3.2: at once for out-of-order data and for data that fills a hole,
     * else delayed.
     */
    private void dataInput(long s, MemorySegment src, long srcOff, int len, boolean fin, long now) {
        if (rcvFinAbs >= 0) {
            // Nothing exists beyond the FIN; a second FIN elsewhere is bogus.
            if (s + len > rcvFinAbs) {
                len = (int) Math.max(0, rcvFinAbs - s);
            }
            if (fin && s + len != rcvFinAbs) {
                fin = false;
            }
        }
        long limit = rcvNxt + store.capacity();
        if (s + len > limit) {
            len = (int) Math.max(0, limit - s);
            fin = false;
            counters.add(Event.TRIMMED_AT_RIGHT_EDGE);
        }
        if (len > 0) {
            counters.add(Event.DATA_SEGS_RECEIVED);
            counters.add(Event.DATA_BYTES_RECEIVED, len);
        }
        if (fin && rcvFinAbs < 0) {
            rcvFinAbs = s + len;
            store.truncate(rcvFinAbs);
        }
        // Out-of-order data waits above RCV.NXT (not just in-order bytes waiting for space).
        boolean holesBefore = !store.isEmpty() && (store.firstStart() > rcvNxt || store.ranges() > 1);
        if (s == rcvNxt) {
            if (len > 0) {
                int n = 0;
                if (store.isEmpty() || store.firstStart() > rcvNxt) {
                    n = Math.min(len, Math.max(0, rcv.space()));
                    if (n > 0) {
                        rcv.deliver(src, srcOff, n);
                        rcvNxt += n;
                        counters.add(Event.BYTES_DELIVERED, n);
                        store.advanceTo(rcvNxt);
                    }
                }
                if (n < len) {
                    if (store.insert(rcvNxt + 0, src, srcOff + n, len - n)) {
                        counters.add(Event.DATA_HELD_NO_SPACE);
                    } else {
                        counters.add(Event.REASSEMBLY_FULL);
                    }
                }
                pullFromStore();
                if (holesBefore) {
                    counters.add(Event.HOLES_FILLED);
                    ackNow = true; // RFC 5681 §4.2: it fills (part of) a gap
                } else {
                    delayAck(len, now);
                }
            }
        } else if (len > 0) {
            if (store.insert(s, src, srcOff, len)) {
                counters.add(Event.OUT_OF_ORDER_SEGS);
                counters.add(Event.OUT_OF_ORDER_BYTES, len);
            } else {
                counters.add(Event.REASSEMBLY_FULL);
            }
            ackNow = true; // RFC 5681 §4.2: an immediate duplicate ACK
        } else if (fin) {
            ackNow = true; // a FIN out of order
        }
        if (rcvFinAbs >= 0 && rcvNxt == rcvFinAbs && !finReceived) {
            finInput(now);
        }
    }

    /**
     * RFC 1122 §4.2.3.2, RFC 5681 §4.2: delay the ACK, unless {@code ackEvery} full-sized segments
     * wait <em>and</em> the application has taken them (the window would not shrink). Otherwise the
     * ACK goes when the application reads ({@link #receiveWindowOpened}) or at the next fast tick.
     * That is when 4.4BSD acknowledges (its every-second-segment ACK is the window update sent when
     * the reader frees two segments) and Linux too ({@code __tcp_ack_snd_check},
     * {@code tcp_cleanup_rbuf}): one ACK per two segments, not two.
     */
    private void delayAck(int len, long now) {
        if (!cfg.delayedAck() || quickAcksLeft > 0) {
            if (quickAcksLeft > 0) {
                quickAcksLeft--;
            }
            ackNow = true;
            return;
        }
        unackedBytes += len;
        if (!ackDue()) {
            delAck = true;
            if (delAckAt == NEVER) {
                delAckAt = (Math.floorDiv(now, cfg.fastTickNs()) + 1) * cfg.fastTickNs();
            }
        }
    }

    /** Enough full-sized segments wait and the application took them: acknowledge now. */
    private boolean ackDue() {
        // "Full-sized" allows for SACK options in the peer's segments.
        long full = Math.max(1, effMss() - MAX_SACK_OPTION_BYTES);
        if (unackedBytes >= cfg.ackEvery() * full && receiveWindow() >= lastWndAdvertised) {
            ackNow = true;
            return true;
        }
        return false;
    }

    /** Hands the application what the store holds from RCV.NXT on, while it has space. */
    private boolean pullFromStore() {
        boolean any = false;
        while (!store.isEmpty() && store.firstStart() == rcvNxt) {
            int space = rcv.space();
            if (space <= 0) {
                break;
            }
            int n = store.deliver(rcvNxt, space, rcv);
            if (n <= 0) {
                break;
            }
            rcvNxt += n;
            counters.add(Event.BYTES_DELIVERED, n);
            any = true;
        }
        return any;
    }

    /** The peer's FIN, in order (RFC 9293 "eighth, check the FIN bit"). */
    private void finInput(long now) {
        rcvNxt = rcvFinAbs + 1;
        finReceived = true;
        ackNow = true;
        rcv.finReceived();
        switch (state) {
            case SYN_RECEIVED, ESTABLISHED -> setState(TcpState.CLOSE_WAIT, now);
            case FIN_WAIT_1 -> {
                if (finAbs >= 0 && sndUna > finAbs) {
                    enterTimeWait(now);
                } else {
                    setState(TcpState.CLOSING, now);
                }
            }
            case FIN_WAIT_2 -> enterTimeWait(now);
            default -> { }
        }
    }

    private void enterTimeWait(long now) {
        cancelTimers();
        setState(TcpState.TIME_WAIT, now);
        timeWaitAt = slowDeadline(now, 2 * cfg.mslNs());
    }

    // ==========================================================================================
    // Output (tcp_output)
    // ==========================================================================================

    /**
     * Sends what is due: data the windows and the sender's silly window avoidance allow, a window
     * update, a pending ACK, a SYN or a FIN. 4.4BSD {@code tcp_output}, decision by decision.
     */
    private void output(long now) {
        if (state == TcpState.CLOSED || state == TcpState.LISTEN) {
            return;
        }
        if (inRecovery && sackOk) {
            sackSend(now); // data goes by pipe (RFC 6675); below only ACKs, window updates, FIN
        }
        for (int guard = 0; guard < 100_000; guard++) {
            boolean idle = sndMax == sndUna;
            long smss = effMss();
            if (idle && now - lastReceiveNs >= rtt.rtoNs() && cwnd > initialWindow() && state.isSynchronized()) {
                cwnd = Math.min(cwnd, initialWindow()); // RFC 5681 §4.1: restart after idle
                counters.add(Event.CWND_IDLE_RESTARTS);
            }
            int flags = OUTFLAGS[state.ordinal()];
            boolean synPending = sndUna == 0 && sndNxt == 0 && state != TcpState.CLOSED;
            long dataEnd = dataEndAbs();
            long win = Math.min(sndWnd, cwnd);
            if (inRecovery && sackOk) {
                win = 0; // data only through sackSend
            }
            if (force) {
                if (win == 0) {
                    win = 1; // the persist probe: one byte into the closed window
                } else {
                    persistAt = NEVER;
                    rxtShift = 0;
                }
            }
            long len;
            if (sndUna == 0) {
                len = 0; // no data before our SYN is acknowledged
            } else {
                len = Math.min(dataEnd, sndUna + win) - sndNxt;
                if (len < 0) {
                    len = 0;
                    if (win == 0 && !(inRecovery && sackOk) && sndUna < dataEnd) {
                        // The window closed: pull back, and let the persist timer probe (4.4BSD).
                        rexmtAt = NEVER;
                        rxtShift = 0;
                        sndNxt = sndUna;
                    }
                }
            }
            int maxData = maxData();
            boolean sendalot = false;
            if (len > maxData) {
                len = maxData;
                sendalot = true;
            }
            boolean fin = (flags & FIN) != 0 && finAbs >= 0 && sndNxt <= finAbs && sndNxt + len == finAbs;
            if (synPending) {
                flags |= SYN;
                if (state == TcpState.FIN_WAIT_1 || state == TcpState.SYN_RECEIVED) {
                    flags |= ACK;
                }
                len = 0;
                fin = false;
            } else {
                flags &= ~SYN;
            }

            boolean send = false;
            boolean windowUpdate = false;
            if (len > 0) {
                // Sender silly window avoidance (RFC 1122 §4.2.3.4) and Nagle (RFC 896).
                if (len == maxData) {
                    send = true;
                } else if ((idle || !cfg.nagle()) && sndNxt + len >= dataEnd) {
                    send = true;
                } else if (force) {
                    send = true;
                } else if (maxSndWnd > 0 && len >= maxSndWnd / 2) {
                    send = true;
                } else if (sndNxt < sndMax) {
                    send = true;
                }
            }
            if (!send && state.haveReceivedSyn() && (flags & ACK) != 0) {
                // A window update if the window opened by two segments or half the buffer (4.4BSD).
                long w = receiveWindow();
                if (w > 0) {
                    long adv = Math.min(w, (long) TCP_MAXWIN << rcvScale) - (rcvAdv - rcvNxt);
                    if (adv >= 2 * smss || 2 * adv >= store.capacity()) {
                        send = true;
                        windowUpdate = true;
                    }
                }
            }
            if (ackNow || synPending) {
                send = true;
            }
            if (fin && (sndMax <= finAbs || sndNxt == sndUna)) {
                send = true;
            }
            if (!send) {
                // Data waits but nothing is in flight to bring an ACK: the persist timer (4.4BSD).
                if (dataEnd > sndUna && sndUna > 0 && rexmtAt == NEVER && persistAt == NEVER) {
                    rxtShift = 0;
                    setPersist(now);
                }
                return;
            }

            if ((len > 0 || fin || (flags & SYN) != 0) && !out.ready()) {
                counters.add(Event.OUTPUT_BLOCKED); // held, not lost: outputReady resumes
                return;
            }

            // ---- send
            if (fin) {
                flags |= FIN;
            } else {
                flags &= ~FIN;
            }
            if (len > 0 && sndNxt + len == dataEnd) {
                flags |= PSH;
            }
            long start = sndNxt;
            boolean retransmission = start < sndMax && (len > 0 || (flags & (SYN | FIN)) != 0);
            if (windowUpdate && len == 0 && (flags & (SYN | FIN)) == 0 && !ackNow) {
                counters.add(Event.WINDOW_UPDATES_SENT);
            }
            Event cause = retransmission ? (force ? null : Event.REXMT_SEGS_RTO) : null;
            if (force && len > 0) {
                counters.add(Event.PERSIST_PROBES);
            }
            emit(start, flags, start - 1, (int) len, cause, now);
            long span = len + ((flags & SYN) != 0 ? 1 : 0) + ((flags & FIN) != 0 ? 1 : 0);
            if (!force || persistAt == NEVER) {
                long oldMax = sndMax;
                sndNxt += span;
                if (sndNxt > sndMax) {
                    sndMax = sndNxt;
                    if (rttSeq < 0 && start >= oldMax) {
                        rttSeq = start;
                        rttStartNs = now;
                    }
                }
                if (rexmtAt == NEVER && sndNxt != sndUna) {
                    rexmtAt = slowDeadline(now, rxtCurNs);
                    if (persistAt != NEVER) {
                        persistAt = NEVER;
                        rxtShift = 0;
                    }
                }
            } else if (sndNxt + span > sndMax) {
                sndMax = sndNxt + span; // a persist probe: SND.NXT stays, the byte counts as sent
            }
            // A bare ACK went while data waits behind a closed window: without this, no timer would
            // ever probe the window, and a lost window update would leave both ends waiting (a
            // 4.4BSD bug; FreeBSD's tcp_output arms the persist timer here too).
            if (span == 0 && dataEnd > sndUna && sndUna > 0 && rexmtAt == NEVER && persistAt == NEVER) {
                rxtShift = 0;
                setPersist(now);
            }
            if (!sendalot) {
                return;
            }
        }
    }

    /**
     * Sends one segment of old data from {@code from} (at most {@code max} sequence numbers, not
     * beyond SND.MAX), for fast retransmit, a partial ACK, SACK recovery. Returns the sequence
     * space sent.
     */
    private long retransmit(long from, long max, Event cause, long now) {
        if (from >= sndMax || max <= 0) {
            return 0;
        }
        if (!out.ready()) {
            counters.add(Event.OUTPUT_BLOCKED);
            return 0;
        }
        if (from == 0) {
            int flags = OUTFLAGS[state.ordinal()] & ACK | SYN;
            emit(0, flags, -1, 0, cause, now);
            return 1;
        }
        long limit = Math.min(from + max, sndMax);
        long dataEnd = dataEndAbs();
        int len = (int) Math.max(0, Math.min(Math.min(limit, dataEnd) - from, maxData()));
        boolean fin = (OUTFLAGS[state.ordinal()] & FIN) != 0 && finAbs >= 0 && from + len == finAbs && limit > finAbs;
        if (len == 0 && !fin) {
            return 0;
        }
        int flags = ACK | (fin ? FIN : 0) | (len > 0 && from + len == dataEnd ? PSH : 0);
        emit(from, flags, from - 1, len, cause, now);
        long span = len + (fin ? 1 : 0);
        if (rttSeq >= from && rttSeq < from + span) {
            rttSeq = -1; // Karn: never time a retransmitted segment
        }
        if (rexmtAt == NEVER) {
            rexmtAt = slowDeadline(now, rxtCurNs);
        }
        return span;
    }

    /** RFC 6675 SetPipe(): octets in flight, per hole (lost holes count only if retransmitted). */
    private void setPipe() {
        board.prepare();
        long p = 0;
        int thresh = cfg.dupThresh();
        int smss = effMss();
        for (int k = 0; k <= board.ranges(); k++) {
            long hs = board.holeStart(k, sndUna);
            long he = board.holeEnd(k, sndMax);
            if (he <= hs) {
                continue;
            }
            if (!board.holeLost(k, thresh, smss)) {
                p += he - hs;
            }
            p += Math.max(0, Math.min(he, highRxt) - hs);
        }
        pipe = p;
    }

    /** RFC 6675 (C): while cwnd − pipe ≥ 1 SMSS, send what NextSeg() gives. */
    private void sackSend(long now) {
        int smss = effMss();
        int thresh = cfg.dupThresh();
        board.prepare();
        for (int guard = 0; guard < 10_000 && cwnd - pipe >= smss; guard++) {
            long from = Math.max(highRxt, sndUna);
            long s = -1;
            long e = -1;
            int rule = 0;
            int holes = board.ranges();
            // (1) the first lost unSACKed octet above HighRxt
            for (int k = 0; k <= holes && s < 0; k++) {
                long hs = Math.max(board.holeStart(k, sndUna), from);
                long he = board.holeEnd(k, sndMax);
                if (hs < he && board.holeLost(k, thresh, smss)) {
                    s = hs;
                    e = Math.min(hs + smss, he);
                    rule = 1;
                }
            }
            // (2) new data, if the receiver's window allows
            if (s < 0) {
                long dataEnd = dataEndAbs();
                long wndEdge = sndUna + sndWnd;
                boolean finNext = (OUTFLAGS[state.ordinal()] & FIN) != 0 && finAbs >= 0 && sndMax == finAbs;
                if ((sndMax < dataEnd && sndMax < wndEdge) || finNext) {
                    s = sndMax;
                    e = Math.min(Math.min(sndMax + smss, dataEnd), Math.max(wndEdge, sndMax));
                    rule = 2;
                }
            }
            // (3) any unSACKed octet above HighRxt
            for (int k = 0; k <= holes && s < 0; k++) {
                long hs = Math.max(board.holeStart(k, sndUna), from);
                long he = board.holeEnd(k, sndMax);
                if (hs < he) {
                    s = hs;
                    e = Math.min(hs + smss, he);
                    rule = 3;
                }
            }
            // (4) one rescue retransmission per recovery: the highest unSACKed segment
            if (s < 0 && sndUna > rescueRxt) {
                for (int k = holes; k >= 0 && s < 0; k--) {
                    long hs = board.holeStart(k, sndUna);
                    long he = board.holeEnd(k, sndMax);
                    if (hs < he) {
                        e = he;
                        s = Math.max(hs, he - smss);
                        rule = 4;
                    }
                }
            }
            if (s < 0) {
                return;
            }
            long sent;
            if (rule == 2) {
                sent = sendNew(s, e - s, now);
            } else {
                sent = retransmit(s, e - s, rule == 4 ? Event.REXMT_SEGS_RESCUE : Event.REXMT_SEGS_SACK, now);
                if (rule == 4) {
                    rescueRxt = recover; // RescueRxt = RecoveryPoint; HighRxt unchanged
                } else if (sent > 0) {
                    highRxt = Math.max(highRxt, s + sent); // (C.2)
                }
            }
            if (sent <= 0) {
                return;
            }
            pipe += sent; // (C.4)
        }
    }

    /** New data at SND.MAX (RFC 6675 NextSeg rule 2): up to {@code max} sequence numbers. */
    private long sendNew(long from, long max, long now) {
        long dataEnd = dataEndAbs();
        int len = (int) Math.max(0, Math.min(Math.min(max, dataEnd - from), maxData()));
        boolean fin = (OUTFLAGS[state.ordinal()] & FIN) != 0 && finAbs >= 0 && from + len == finAbs;
        if (len == 0 && !fin) {
            return 0;
        }
        if (!out.ready()) {
            counters.add(Event.OUTPUT_BLOCKED);
            return 0;
        }
        int flags = ACK | (fin ? FIN : 0) | (len > 0 && from + len == dataEnd ? PSH : 0);
        emit(from, flags, from - 1, len, null, now);
        long span = len + (fin ? 1 : 0);
        sndNxt = from + span;
        sndMax = Math.max(sndMax, sndNxt);
        if (rttSeq < 0) {
            rttSeq = from;
            rttStartNs = now;
        }
        if (rexmtAt == NEVER) {
            rexmtAt = slowDeadline(now, rxtCurNs);
        }
        return span;
    }

    /**
     * Builds the header of one segment and hands it to the sink: sequence {@code seqAbs}, control
     * bits {@code flags}, stream bytes {@code [dataFrom, dataFrom + dataLen)}.
     */
    private void emit(long seqAbs, int flags, long dataFrom, int dataLen, Event cause, long now) {
        TcpHeaderOut h = hdr.clear();
        h.srcIp = localIp;
        h.dstIp = remoteIp;
        h.srcPort = localPort;
        h.dstPort = remotePort;
        h.seq = iss + (int) seqAbs;
        boolean syn = (flags & SYN) != 0;
        boolean ack = (flags & ACK) != 0;
        if (ack) {
            h.ack = irs + (int) rcvNxt;
        }
        h.flags = flags;
        if (syn) {
            // The window of a SYN is never scaled (RFC 7323 §2.2).
            long w = Math.min(receiveWindow(), TCP_MAXWIN);
            h.window = (int) w;
            synWindow = w;
            if (ack) {
                rcvAdv = Math.max(rcvAdv, rcvNxt + w);
            }
            h.mss = cfg.mss();
            if (state == TcpState.SYN_SENT) {
                if (cfg.windowScaling()) {
                    h.wscale = cfg.receiveScale();
                }
                h.sackPermitted = cfg.sack();
                h.timestamps = cfg.timestamps();
            } else {
                if (wsOk) {
                    h.wscale = rcvScale;
                }
                h.sackPermitted = sackOk;
                h.timestamps = tsOk;
            }
        } else if (ack) {
            h.window = windowField();
        }
        if (h.timestamps || (tsOk && !syn)) {
            h.timestamps = true;
            h.tsVal = tsNow(now);
            h.tsEcr = ack && tsRecentValid ? tsRecent : 0;
        }
        if (sackOk && ack && !syn && !store.isEmpty()) {
            int room = h.sackRoom();
            int n = store.sackBlocks(rcvNxt, sackLeft, sackRight, room);
            for (int i = 0; i < n; i++) {
                h.sackLeft[i] = irs + (int) sackLeft[i];
                h.sackRight[i] = irs + (int) sackRight[i];
            }
            h.sackCount = n;
        }
        counters.add(Event.SEGS_SENT);
        if (dataLen > 0) {
            counters.add(Event.DATA_SEGS_SENT);
            counters.add(Event.DATA_BYTES_SENT, dataLen);
        } else if ((flags & (SYN | FIN | RST)) == 0) {
            counters.add(Event.PURE_ACKS_SENT);
        }
        if (syn) {
            counters.add(Event.SYNS_SENT);
        }
        if ((flags & FIN) != 0) {
            counters.add(Event.FINS_SENT);
        }
        if (cause != null) {
            counters.add(cause);
            counters.add(Event.REXMT_BYTES, dataLen);
        }
        if (ack) {
            lastAckSent = rcvNxt;
            lastWndAdvertised = Math.max(0, rcvAdv - rcvNxt);
            ackNow = false;
            delAck = false;
            delAckAt = NEVER;
            unackedBytes = 0;
        }
        out.segment(h, dataFrom, dataLen);
    }

    /** Our RST (abort, or a drop after timeouts): {@code <SEQ=SND.NXT><ACK=RCV.NXT><CTL=RST,ACK>}. */
    private void sendReset(long now) {
        TcpHeaderOut h = hdr.clear();
        h.srcIp = localIp;
        h.dstIp = remoteIp;
        h.srcPort = localPort;
        h.dstPort = remotePort;
        h.seq = iss + (int) sndNxt;
        h.ack = irs + (int) rcvNxt;
        h.flags = RST | ACK;
        if (tsOk) {
            h.timestamps = true; // RFC 7323 §3.2: SHOULD be sent on a RST too
            h.tsVal = tsNow(now);
            h.tsEcr = tsRecentValid ? tsRecent : 0;
        }
        counters.add(Event.SEGS_SENT);
        counters.add(Event.RSTS_SENT);
        out.segment(h, 0, 0);
    }

    /** A RST answering {@code seg} (RFC 9293 §3.10.7.1 rules), from this connection's address. */
    private void respondReset(TcpHeader seg) {
        if (!TcpResets.answer(seg, hdr)) {
            return;
        }
        hdr.srcIp = localIp;
        hdr.dstIp = seg.srcIp() != 0 ? seg.srcIp() : remoteIp;
        counters.add(Event.SEGS_SENT);
        counters.add(Event.RSTS_SENT);
        out.segment(hdr, 0, 0);
    }

    /** One past the last sequence number of queued data. */
    private long dataEndAbs() {
        if (finAbs >= 0) {
            return finAbs;
        }
        return 1 + snd.end();
    }

    /** The application will send no more: the FIN goes after the data queued now. */
    private void placeFin() {
        if (finAbs < 0) {
            finAbs = 1 + snd.end();
        }
    }

    /** SMSS: the most data in a segment carrying only the options every segment carries. */
    public int effMss() {
        return Math.min(peerMss, cfg.mss()) - (tsOk ? TS_OPTION_BYTES : 0);
    }

    /** The most data in the next segment: SACK blocks we report take room (RFC 6691). */
    private int maxData() {
        int m = effMss();
        if (sackOk && !store.isEmpty()) {
            int blocks = Math.min(store.ranges(), tsOk ? 3 : 4);
            m -= 4 + 8 * blocks;
        }
        return Math.max(1, m);
    }

    /**
     * The window we would advertise now, in bytes past RCV.NXT: what the application can take,
     * at most the store's capacity; the right edge moves only by min(capacity/2, SMSS) or more
     * (receiver silly window avoidance, RFC 1122 §4.2.3.3), and never back (RFC 9293 §3.8.6.2.2).
     */
    private long receiveWindow() {
        if (rcvAdv < rcvNxt) {
            rcvAdv = rcvNxt;
        }
        long avail = Math.min(Math.max(rcv.space(), 0), store.capacity());
        long right = rcvNxt + Math.min(avail, (long) TCP_MAXWIN << rcvScale);
        if (right > rcvAdv && right - rcvAdv < Math.min(store.capacity() / 2, effMss())) {
            right = rcvAdv;
        }
        return Math.max(right, rcvAdv) - rcvNxt;
    }

    /** The window field for a non-SYN segment (scaled), and RCV.ADV moves with it. */
    private int windowField() {
        long w = receiveWindow();
        long field = Math.min(w >> rcvScale, TCP_MAXWIN);
        if (rcvNxt + (field << rcvScale) < rcvAdv) {
            field = Math.min((rcvAdv - rcvNxt + (1L << rcvScale) - 1) >> rcvScale, TCP_MAXWIN);
        }
        rcvAdv = Math.max(rcvAdv, rcvNxt + (field << rcvScale));
        return (int) field;
    }

    private int tsNow(long now) {
        return (int) Math.floorDiv(now, TS_TICK_NS) + tsOffset;
    }

    // ==========================================================================================
    // Timers (tcp_fasttimo, tcp_slowtimo, tcp_timers)
    // ==========================================================================================

    /** The earliest deadline at which {@link #onTimer} has work, {@link #NEVER} if none. */
    public long nextTimerNs() {
        long t = delAckAt;
        t = Math.min(t, rexmtAt);
        t = Math.min(t, persistAt);
        t = Math.min(t, keepAt);
        t = Math.min(t, finWait2At);
        return Math.min(t, timeWaitAt);
    }

    /** Runs every timer due at {@code now}. */
    public void onTimer(long now) {
        if (delAckAt <= now) {
            delAckAt = NEVER;
            if (delAck && state != TcpState.CLOSED) {
                ackNow = true;
                counters.add(Event.DELAYED_ACKS_SENT);
                output(now);
            }
        }
        if (rexmtAt <= now) {
            rexmtAt = NEVER;
            retransmitTimeout(now);
        }
        if (persistAt <= now) {
            persistAt = NEVER;
            persistTimeout(now);
        }
        if (keepAt <= now) {
            keepAt = NEVER;
            keepaliveTimeout(now);
        }
        if (finWait2At <= now) {
            finWait2At = NEVER;
            if (state == TcpState.FIN_WAIT_2) {
                toClosed(CloseReason.FIN_WAIT_2_TIMEOUT, now);
            }
        }
        if (timeWaitAt <= now) {
            timeWaitAt = NEVER;
            if (state == TcpState.TIME_WAIT) {
                toClosed(CloseReason.NORMAL, now);
            }
        }
    }

    /** 4.4BSD TCPT_REXMT: back off, go back to SND.UNA with a window of one segment (RFC 5681 §3.1). */
    private void retransmitTimeout(long now) {
        if (state == TcpState.CLOSED || state == TcpState.LISTEN || state == TcpState.TIME_WAIT) {
            return;
        }
        boolean synState = state == TcpState.SYN_SENT || state == TcpState.SYN_RECEIVED;
        int limit = synState ? cfg.maxSynRetries() : cfg.maxRetries();
        if (++rxtShift > limit) {
            rxtShift = limit;
            counters.add(Event.RTO_GIVE_UPS);
            if (state.haveReceivedSyn()) {
                sendReset(now);
            }
            toClosed(CloseReason.TIMED_OUT, now);
            return;
        }
        counters.add(Event.RTO_EXPIRIES);
        if (synState || sndUna == 0) {
            synRetransmitted = true;
            counters.add(Event.SYN_RETRANSMITS);
        }
        long rto = Math.min(cfg.maxRtoNs(), Math.max(cfg.minRtoNs(), rtt.rtoNs() * BACKOFF[Math.min(rxtShift, MAX_RXT_SHIFT)]));
        rxtCurNs = rto;
        rexmtAt = slowDeadline(now, rto);
        if (rxtShift > MAX_RXT_SHIFT / 4) {
            rtt.invalidate(); // RFC 6298 §5: the estimate is likely bogus after repeated timeouts
        }
        long flight = sndMax - sndUna;
        sndNxt = sndUna; // go back N
        rttSeq = -1; // Karn
        tsSampleWanted = true;
        if (rxtShift == 1) {
            ssthresh = Math.max(flight / 2, 2L * effMss()); // RFC 5681 (4), on the first timeout only
        }
        cwnd = effMss(); // loss window
        recover = sndMax; // RFC 6582 §3.2 step 1 / RFC 6675 §5.1
        inRecovery = false;
        board.clear(); // RFC 2018 §8: the receiver may have reneged
        highRxt = sndUna;
        dupAcks = 0;
        output(now);
    }

    /** 4.4BSD TCPT_PERSIST: probe the closed window, with backoff. */
    private void persistTimeout(long now) {
        if (!state.isSynchronized() || state == TcpState.TIME_WAIT) {
            return;
        }
        counters.add(Event.PERSIST_TIMEOUTS);
        setPersist(now);
        force = true;
        try {
            output(now);
        } finally {
            force = false;
        }
    }

    /** 4.4BSD {@code tcp_setpersist}: the RTO times the backoff, within [5 s, 60 s]. */
    private void setPersist(long now) {
        long t = rtt.rtoNs() * BACKOFF[Math.min(rxtShift, MAX_RXT_SHIFT)];
        t = Math.min(cfg.persistMaxNs(), Math.max(cfg.persistMinNs(), t));
        persistAt = slowDeadline(now, t);
        if (rxtShift < MAX_RXT_SHIFT) {
            rxtShift++;
        }
    }

    /** 4.4BSD TCPT_KEEP (RFC 1122 §4.2.3.6): probe an idle connection; drop it when probes go unanswered. */
    private void keepaliveTimeout(long now) {
        if (!cfg.keepalive()) {
            return;
        }
        if (state == TcpState.ESTABLISHED || state == TcpState.CLOSE_WAIT) {
            if (keepProbes >= cfg.keepCount()) {
                counters.add(Event.KEEPALIVE_DROPS);
                sendReset(now);
                toClosed(CloseReason.TIMED_OUT, now);
                return;
            }
            keepProbes++;
            counters.add(Event.KEEPALIVE_PROBES);
            // SEG.SEQ = SND.UNA − 1: an old sequence number the peer must acknowledge (4.4BSD tcp_respond).
            emit(sndUna - 1, ACK, 0, 0, null, now);
            keepAt = slowDeadline(now, cfg.keepIntervalNs());
        } else if (state.isSynchronized() && state != TcpState.TIME_WAIT) {
            keepAt = slowDeadline(now, cfg.keepIdleNs());
        }
    }

    private void armFinWait2(long now) {
        finWait2At = slowDeadline(now, cfg.finWait2TimeoutNs());
    }

    /** The slow tick that ends a timer of {@code intervalNs} armed at {@code now} (see the class comment). */
    private long slowDeadline(long now, long intervalNs) {
        long tick = cfg.slowTickNs();
        long n = Math.max(1, (intervalNs + tick - 1) / tick);
        return (Math.floorDiv(now, tick) + n) * tick;
    }

    private void cancelTimers() {
        delAckAt = NEVER;
        rexmtAt = NEVER;
        persistAt = NEVER;
        keepAt = NEVER;
        finWait2At = NEVER;
        timeWaitAt = NEVER;
        delAck = false;
    }

    // ==========================================================================================
    // State
    // ==========================================================================================

    /** The only place the state changes: every transition is told to the listener as "A=>B". */
    private void setState(TcpState to, long now) {
        TcpState from = state;
        if (from == to) {
            return;
        }
        state = to;
        listener.stateChanged(this, from, to, now);
    }

    private void toClosed(CloseReason why, long now) {
        cancelTimers();
        if (closeReason == CloseReason.NONE) {
            closeReason = why;
        }
        inRecovery = false;
        setState(TcpState.CLOSED, now);
    }

    // ==========================================================================================
    // Accessors
    // ==========================================================================================

    public TcpState state() {
        return state;
    }

    public CloseReason closeReason() {
        return closeReason;
    }

    public TcpCounters counters() {
        return counters;
    }

    public TcpConfig config() {
        return cfg;
    }

    public int localIp() {
        return localIp;
    }

    public int localPort() {
        return localPort;
    }

    public int remoteIp() {
        return remoteIp;
    }

    public int remotePort() {
        return remotePort;
    }

    public boolean isPassive() {
        return passive;
    }

    /** ISS, IRS, SND.UNA, SND.NXT, SND.MAX, RCV.NXT as the 32-bit sequence numbers on the wire. */
    public int iss() {
        return iss;
    }

    public int irs() {
        return irs;
    }

    public int sndUna() {
        return iss + (int) sndUna;
    }

    public int sndNxt() {
        return iss + (int) sndNxt;
    }

    public int sndMax() {
        return iss + (int) sndMax;
    }

    public int rcvNxt() {
        return irs + (int) rcvNxt;
    }

    /** Bytes of the send stream acknowledged (the offset reported to {@link SendStream#acknowledged}). */
    public long bytesAcked() {
        return ackedReported;
    }

    /** Bytes handed to the application. */
    public long bytesDelivered() {
        return Math.max(0, rcvNxt - 1 - (finReceived ? 1 : 0));
    }

    /** Sequence space in flight: SND.MAX − SND.UNA. */
    public long flightSize() {
        return sndMax - sndUna;
    }

    /** SND.WND in bytes (scaled). */
    public long sndWnd() {
        return sndWnd;
    }

    public long maxSndWnd() {
        return maxSndWnd;
    }

    /** RCV.WND as last advertised, in bytes: RCV.ADV − RCV.NXT. */
    public long rcvWnd() {
        return Math.max(0, rcvAdv - rcvNxt);
    }

    public long cwnd() {
        return cwnd;
    }

    public long ssthresh() {
        return ssthresh;
    }

    public long pipe() {
        return pipe;
    }

    public int dupAcks() {
        return dupAcks;
    }

    public boolean inRecovery() {
        return inRecovery;
    }

    public long srttNs() {
        return rtt.srttNs();
    }

    public long rttvarNs() {
        return rtt.rttvarNs();
    }

    /** The RTO without backoff (RFC 6298). */
    public long rtoNs() {
        return rtt.rtoNs();
    }

    /** The retransmission timeout in use, with backoff (4.4BSD {@code t_rxtcur}). */
    public long currentRtoNs() {
        return rxtCurNs;
    }

    public int backoffShift() {
        return rxtShift;
    }

    public int peerMss() {
        return peerMss;
    }

    public boolean windowScaling() {
        return wsOk;
    }

    public int sndScale() {
        return sndScale;
    }

    public int rcvScale() {
        return rcvScale;
    }

    public boolean timestamps() {
        return tsOk;
    }

    public boolean sack() {
        return sackOk;
    }

    /** Bytes held in the reassembly store, and its ranges. */
    public long reassemblyBytes() {
        return store.held();
    }

    public int reassemblyRanges() {
        return store.ranges();
    }

    /** SACK scoreboard ranges held (sender side). */
    public int scoreboardRanges() {
        return board.ranges();
    }

    public boolean finReceived() {
        return finReceived;
    }

    /** Our FIN has been acknowledged. */
    public boolean finAcked() {
        return finAbs >= 0 && sndUna > finAbs;
    }

    public long delayedAckDeadlineNs() {
        return delAckAt;
    }

    public long retransmitDeadlineNs() {
        return rexmtAt;
    }

    public long persistDeadlineNs() {
        return persistAt;
    }

    public long keepaliveDeadlineNs() {
        return keepAt;
    }

    public long finWait2DeadlineNs() {
        return finWait2At;
    }

    public long timeWaitDeadlineNs() {
        return timeWaitAt;
    }

    @Override
    public String toString() {
        return "tcp " + localPort + "->" + remotePort + " " + state + " una " + sndUna + " nxt " + sndNxt + " max "
                + sndMax + " rcv " + rcvNxt + " cwnd " + cwnd + " ssthresh " + ssthresh + " wnd " + sndWnd;
    }
}

package nemesis.inet.tcp;

import java.util.LinkedHashMap;
import java.util.Map;
import nemesis.inet.Counters;

/**
 * A connection's statistics, as 4.4BSD's {@code tcpstat} keeps them: one counter per decision.
 * Every segment given to {@link TcpConnection#input} is counted once in
 * {@link Event#SEGS_RECEIVED} and ends either processed ({@link Event#SEGS_PROCESSED}) or dropped
 * by reason ({@link Drop}): {@code SEGS_RECEIVED == SEGS_PROCESSED + drops().total()}.
 * Counting allocates nothing.
 */
public final class TcpCounters {
    /** What happened. */
    public enum Event {
        // ---- input
        SEGS_RECEIVED, SEGS_PROCESSED,
        DATA_SEGS_RECEIVED, DATA_BYTES_RECEIVED, BYTES_DELIVERED,
        OUT_OF_ORDER_SEGS, OUT_OF_ORDER_BYTES, HOLES_FILLED,
        DUP_SEGS, DUP_BYTES, PARTIAL_DUP_SEGS, DUP_SYNS, TRIMMED_AT_RIGHT_EDGE, WINDOW_PROBES_RECEIVED,
        SYN_DATA_IGNORED, DATA_IGNORED_AFTER_FIN, DATA_HELD_NO_SPACE, REASSEMBLY_FULL,
        DUP_ACKS, OLD_ACKS, ACKS_NEW_DATA, WINDOW_UPDATES_RECEIVED,
        RESETS_RECEIVED, TS_RECENT_INVALIDATED,
        // ---- output
        SEGS_SENT, DATA_SEGS_SENT, DATA_BYTES_SENT, PURE_ACKS_SENT, DELAYED_ACKS_SENT, WINDOW_UPDATES_SENT,
        SYNS_SENT, FINS_SENT, RSTS_SENT,
        /** Data, a SYN or a FIN held because the sink had no room ({@link TcpOutput#ready}). */
        OUTPUT_BLOCKED,
        CHALLENGE_ACKS, CHALLENGE_ACKS_SUPPRESSED,
        // ---- retransmission by cause
        REXMT_SEGS_RTO, REXMT_SEGS_FAST, REXMT_SEGS_PARTIAL_ACK, REXMT_SEGS_SACK, REXMT_SEGS_RESCUE, REXMT_BYTES,
        SYN_RETRANSMITS, SYN_ACK_RETRANSMITS_ON_DUP_SYN,
        RTO_EXPIRIES, RTO_GIVE_UPS, PERSIST_TIMEOUTS, PERSIST_PROBES, KEEPALIVE_PROBES, KEEPALIVE_DROPS,
        // ---- congestion control
        FAST_RETRANSMITS, FAST_RETRANSMITS_SUPPRESSED, LIMITED_TRANSMITS, PARTIAL_ACKS, RECOVERY_EXITS, SACK_RECOVERY_ENTRIES,
        RTT_SAMPLES, RTT_SAMPLES_TS, CWND_IDLE_RESTARTS
    }

    /** Why a segment was discarded (RFC 9293 §3.10.7, RFC 5961, RFC 7323). */
    public enum Drop {
        /** Not this connection's ports or addresses (the caller's demultiplexing erred). */
        WRONG_CONNECTION,
        /** The connection is CLOSED (a RST is sent unless the segment is one). */
        CLOSED,
        LISTEN_RST, LISTEN_ACK, LISTEN_NO_SYN,
        SYN_SENT_BAD_ACK, SYN_SENT_RST_NO_ACK, SYN_SENT_NO_SYN,
        /** RFC 7323 §5.3: TSval older than TS.Recent (an ACK is sent). */
        PAWS,
        /** RFC 7323 §3.2: timestamps negotiated and a non-RST segment without them. */
        NO_TIMESTAMP,
        /** Outside the receive window (an ACK is sent). */
        OUT_OF_WINDOW,
        /** A RST outside the window. */
        RST_OUT_OF_WINDOW,
        /** RFC 5961 §3.2: a RST in the window but not at RCV.NXT (a challenge ACK is sent). */
        RST_NOT_EXACT,
        /** RFC 5961 §4: a SYN in SYN-RECEIVED or a synchronized state (a challenge ACK is sent). */
        SYN_IN_SYNCHRONIZED,
        /** No ACK bit. */
        NO_ACK,
        /** SYN-RECEIVED: the ACK does not acknowledge our SYN (a RST is sent). */
        SYN_RECEIVED_BAD_ACK,
        /** RFC 5961 §5.2: an ACK below SND.UNA − MAX.SND.WND or above SND.NXT (a challenge ACK is sent). */
        ACK_UNACCEPTABLE,
        /** TIME-WAIT: anything acceptable is a retransmitted FIN (ACKed, 2MSL restarted). */
        TIME_WAIT
    }

    private final Counters<Event> events = new Counters<>(Event.class);
    private final Counters<Drop> drops = new Counters<>(Drop.class);

    void add(Event e) {
        events.add(e);
    }

    void add(Event e, long n) {
        events.add(e, n);
    }

    void drop(Drop d) {
        drops.add(d);
    }

    public long get(Event e) {
        return events.get(e);
    }

    public long get(Drop d) {
        return drops.get(d);
    }

    public Counters<Event> events() {
        return events;
    }

    public Counters<Drop> drops() {
        return drops;
    }

    /** Non-zero counts by lower-case name, drops prefixed {@code drop_}. */
    public Map<String, Long> nonZero() {
        Map<String, Long> m = new LinkedHashMap<>(events.nonZero());
        drops.nonZero().forEach((k, v) -> m.put("drop_" + k, v));
        return m;
    }

    @Override
    public String toString() {
        return nonZero().toString();
    }
}

package nemesis.drivers;

import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;

/** Every decision of the driver that is not "sent" or "delivered", counted by reason. */
public final class DriverCounters {
    public enum Reason {
        // transmit
        TX_BAD_RECORDS, TX_TOO_LONG, TX_SPOOFED, TX_NO_FRAME_BUFFER, TX_SUSPENDED, TX_CORRUPT_FIFO,
        TX_RECLAIM_FIFO_FULL,
        // receive
        RX_SHORT_FRAME, RX_NOT_OUR_MAC, RX_UNKNOWN_ETHERTYPE, RX_IP_TRUNCATED, RX_IP_BAD_VERSION,
        RX_IP_BAD_HEADER_LENGTH, RX_IP_BAD_TOTAL_LENGTH, RX_IP_BAD_CHECKSUM, RX_NOT_OUR_IP, RX_NO_ARP_CLIENT,
        RX_NO_DEFAULT_CLIENT, RX_NO_BUFFER, RX_BAD_BUFFER, RX_BUFFER_TOO_SMALL, RX_FRAGMENT_UNCLAIMED
    }

    private final long[] counts = new long[Reason.values().length];

    public void add(Reason r) {
        counts[r.ordinal()]++;
    }

    public long get(Reason r) {
        return counts[r.ordinal()];
    }

    /** Receive drops for a filter verdict. */
    static Reason of(ReceiveDemux.Drop d) {
        return switch (d) {
            case SHORT_FRAME -> Reason.RX_SHORT_FRAME;
            case NOT_OUR_MAC -> Reason.RX_NOT_OUR_MAC;
            case UNKNOWN_ETHERTYPE -> Reason.RX_UNKNOWN_ETHERTYPE;
            case IP_TRUNCATED -> Reason.RX_IP_TRUNCATED;
            case IP_BAD_VERSION -> Reason.RX_IP_BAD_VERSION;
            case IP_BAD_HEADER_LENGTH -> Reason.RX_IP_BAD_HEADER_LENGTH;
            case IP_BAD_TOTAL_LENGTH -> Reason.RX_IP_BAD_TOTAL_LENGTH;
            case IP_BAD_CHECKSUM -> Reason.RX_IP_BAD_CHECKSUM;
            case NOT_OUR_IP -> Reason.RX_NOT_OUR_IP;
            case NO_ARP_CLIENT -> Reason.RX_NO_ARP_CLIENT;
            case NO_DEFAULT_CLIENT, NONE -> Reason.RX_NO_DEFAULT_CLIENT;
        };
    }

    /** Receive-side drops in total. */
    public long receiveDrops() {
        long sum = 0;
        for (Reason r : Reason.values()) {
            if (r.name().startsWith("RX_")) {
                sum += get(r);
            }
        }
        return sum;
    }

    /** The non-zero counts, by lower-case reason, for results. */
    public Map<String, Long> nonZero() {
        Map<String, Long> m = new LinkedHashMap<>();
        for (Reason r : Reason.values()) {
            if (get(r) > 0) {
                m.put(r.name().toLowerCase(), get(r));
            }
        }
        return m;
    }

    public Map<Reason, Long> all() {
        Map<Reason, Long> m = new EnumMap<>(Reason.class);
        for (Reason r : Reason.values()) {
            m.put(r, get(r));
        }
        return m;
    }
}

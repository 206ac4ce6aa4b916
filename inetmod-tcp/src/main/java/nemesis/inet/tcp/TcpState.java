package nemesis.inet.tcp;

/**
 * The states of a TCP connection, with RFC 9293's names (§3.3.2, Figure 5). Ordered as 4.4BSD's
 * {@code tcp_fsm.h} orders them, so "at or after ESTABLISHED" and "the application closed" read
 * as comparisons.
 */
public enum TcpState {
    CLOSED("CLOSED"),
    LISTEN("LISTEN"),
    SYN_SENT("SYN-SENT"),
    SYN_RECEIVED("SYN-RECEIVED"),
    ESTABLISHED("ESTABLISHED"),
    CLOSE_WAIT("CLOSE-WAIT"),
    FIN_WAIT_1("FIN-WAIT-1"),
    CLOSING("CLOSING"),
    LAST_ACK("LAST-ACK"),
    FIN_WAIT_2("FIN-WAIT-2"),
    TIME_WAIT("TIME-WAIT");

    private final String rfcName;

    TcpState(String rfcName) {
        this.rfcName = rfcName;
    }

    /** The name as RFC 9293 writes it ({@code SYN-SENT}). */
    public String rfcName() {
        return rfcName;
    }

    /** RFC 9293's synchronized states: ESTABLISHED and after (BSD {@code TCPS_HAVEESTABLISHED}). */
    public boolean isSynchronized() {
        return compareTo(ESTABLISHED) >= 0;
    }

    /** A SYN has been received (BSD {@code TCPS_HAVERCVDSYN}). */
    public boolean haveReceivedSyn() {
        return compareTo(SYN_RECEIVED) >= 0;
    }

    /** Our FIN is queued or sent: the application will send no more (BSD: after CLOSE_WAIT). */
    public boolean sendClosed() {
        return compareTo(CLOSE_WAIT) > 0;
    }

    /** The peer's FIN has been received. */
    public boolean receiveClosed() {
        return this == CLOSE_WAIT || this == CLOSING || this == LAST_ACK || this == TIME_WAIT;
    }

    @Override
    public String toString() {
        return rfcName;
    }
}

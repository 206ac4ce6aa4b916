package nemesis.inet.tcp;

/** Why a connection is CLOSED (what the application is told). */
public enum CloseReason {
    /** Not closed. */
    NONE,
    /** Both FINs exchanged and acknowledged (TIME-WAIT over, or LAST-ACK acknowledged). */
    NORMAL,
    /** The peer reset an established connection (RFC 9293 "connection reset"). */
    RESET,
    /** The peer answered our SYN with a RST (RFC 9293 "connection refused"). */
    REFUSED,
    /** Retransmissions unanswered (RFC 1122 §4.2.3.5 R2), or keepalive probes unanswered. */
    TIMED_OUT,
    /** FIN-WAIT-2 with no FIN for the configured time after close (4.4BSD). */
    FIN_WAIT_2_TIMEOUT,
    /** The application aborted (RFC 9293 ABORT), or closed before the connection was up. */
    ABORTED,
    /** Data arrived after the application closed: reset (RFC 9293 §3.10.7.4, 4.4BSD {@code tcps_rcvafterclose}). */
    DATA_AFTER_CLOSE
}

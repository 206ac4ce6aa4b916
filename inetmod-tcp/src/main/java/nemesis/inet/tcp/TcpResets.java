package nemesis.inet.tcp;

import nemesis.inet.wire.TcpHeader;
import nemesis.inet.wire.TcpHeaderOut;

/**
 * Reset generation for a segment that no connection takes (RFC 9293 §3.5.2 and §3.10.7.1 "If the
 * state is CLOSED"): never in answer to a RST; to a segment with ACK, {@code <SEQ=SEG.ACK><CTL=RST>};
 * otherwise {@code <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>}. For the host stack, the flow
 * manager, and connections that answer on their own behalf.
 */
public final class TcpResets {
    private TcpResets() {
    }

    /** SEG.LEN: data plus one for SYN and one for FIN. */
    public static int sequenceLength(TcpHeader in) {
        return in.payloadLength() + (in.has(TcpHeader.SYN) ? 1 : 0) + (in.has(TcpHeader.FIN) ? 1 : 0);
    }

    /**
     * Fills {@code out} with the reset that answers {@code in} (validated; its addresses are
     * those {@link TcpHeader#validate(int, int, int)} was given). Returns false, leaving
     * {@code out} alone, when none is due.
     */
    public static boolean answer(TcpHeader in, TcpHeaderOut out) {
        if (in.has(TcpHeader.RST)) {
            return false;
        }
        out.clear();
        out.srcIp = in.dstIp();
        out.dstIp = in.srcIp();
        out.srcPort = in.dstPort();
        out.dstPort = in.srcPort();
        if (in.has(TcpHeader.ACK)) {
            out.seq = in.ack();
            out.flags = TcpHeader.RST;
        } else {
            out.seq = 0;
            out.ack = in.seq() + sequenceLength(in);
            out.flags = TcpHeader.RST | TcpHeader.ACK;
        }
        return true;
    }
}

package nemesis.inet.wire;

import java.lang.foreign.MemorySegment;
import nemesis.wire.BigEndian;
import nemesis.wire.Checksum;
import nemesis.wire.Ipv4Packet;

/**
 * The TCP checksum (RFC 9293 §3.1) over a header and a payload that may come in several pieces
 * (zero-copy output gathers a segment's data from wherever the application keeps it).
 *
 * <p>Pieces of any length: a piece that starts at an odd position of the segment contributes its
 * sum byte-swapped (RFC 1071 §2(B), byte order independence), so odd-length pieces may be followed
 * by others. Use: {@link #begin}, {@link #add} each piece in order (the header first, its checksum
 * field zero), {@link #finish}; or the one-call {@link #compute}. Reusable; allocates nothing.
 */
public final class TcpChecksum {
    private int sum;
    private boolean odd;

    /** Starts a checksum of a segment of {@code tcpLength} bytes (header and data) between two addresses. */
    public TcpChecksum begin(int srcIp, int dstIp, int tcpLength) {
        sum = Checksum.pseudoHeaderSum(srcIp, dstIp, Ipv4Packet.PROTO_TCP, tcpLength);
        odd = false;
        return this;
    }

    /** The next {@code len} bytes of the segment. */
    public TcpChecksum add(MemorySegment m, long off, int len) {
        if (len <= 0) {
            return this;
        }
        int s = Checksum.sum(m, off, len);
        if (odd) {
            s = ((s & 0xFF) << 8) | (s >>> 8);
        }
        sum = Checksum.add(sum, s);
        odd ^= (len & 1) != 0;
        return this;
    }

    /** The checksum to write in the header. */
    public int finish() {
        return Checksum.finish(sum);
    }

    /** The checksum of a header ({@code hdrLen} bytes, checksum field zero) and one payload piece. */
    public static int compute(int srcIp, int dstIp, MemorySegment hdr, long hdrOff, int hdrLen, MemorySegment pay,
                              long payOff, int payLen) {
        int s = Checksum.pseudoHeaderSum(srcIp, dstIp, Ipv4Packet.PROTO_TCP, hdrLen + payLen);
        s = Checksum.sum(hdr, hdrOff, hdrLen, s); // a TCP header's length is a multiple of 4: even
        if (payLen > 0) {
            s = Checksum.sum(pay, payOff, payLen, s);
        }
        return Checksum.finish(s);
    }

    /** Computes and writes the checksum of the contiguous segment of {@code tcpLength} bytes at {@code off}. */
    public static void fill(MemorySegment m, long off, int tcpLength, int srcIp, int dstIp) {
        BigEndian.u16(m, off + TcpHeader.CHECKSUM_OFFSET, 0);
        int c = Checksum.compute(m, off, tcpLength, Checksum.pseudoHeaderSum(srcIp, dstIp, Ipv4Packet.PROTO_TCP, tcpLength));
        BigEndian.u16(m, off + TcpHeader.CHECKSUM_OFFSET, c);
    }
}

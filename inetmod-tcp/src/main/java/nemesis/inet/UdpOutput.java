package nemesis.inet;

import java.lang.foreign.MemorySegment;
import nemesis.inet.wire.UdpDatagram;
import nemesis.wire.BigEndian;
import nemesis.wire.Checksum;
import nemesis.wire.EthernetFrame;
import nemesis.wire.Ipv4Packet;

/**
 * The headers of a UDP datagram as InetMod sends it (RFC 768; RFC 791 §2.3 and §3.2 for
 * fragmentation): one frame per fragment, each a header record (Ethernet, IPv4 and, in the first,
 * UDP) and a body record with that fragment's slice of the payload. The payload stays where the
 * caller has it: its checksum comes in as a partial sum and each frame copies its own slice, so a
 * transmit buffer never holds more than one frame.
 *
 * <p>A datagram whose IP length fits the MTU is one frame. Otherwise every fragment but the last
 * carries {@code (mtu - 20) & ~7} bytes of the UDP datagram (the 8-byte header counts: the first
 * fragment carries 8 fewer bytes of payload); offsets are in 8-byte units (RFC 791). Don't
 * Fragment is never set: our applications do not do path MTU discovery (RFC 1191).
 * Pure and allocation-free.
 */
public final class UdpOutput {
    /** Ethernet, IPv4, UDP. */
    public static final int FIRST_HEADERS = EthernetFrame.HEADER_LEN + Ipv4Packet.MIN_HEADER_LEN + UdpDatagram.HEADER_LEN;
    /** Ethernet, IPv4. */
    public static final int LATER_HEADERS = EthernetFrame.HEADER_LEN + Ipv4Packet.MIN_HEADER_LEN;

    private long srcMac;
    private long dstMac;
    private int srcIp;
    private int dstIp;
    private int checksum;
    private int srcPort;
    private int dstPort;
    private int payloadLength;
    private int ipId;
    private int ttl;
    /** UDP datagram bytes (header included) per fragment; the whole datagram when not fragmented. */
    private int chunk;
    private int frames;

    /**
     * Prepares a datagram of {@code payloadLength} bytes whose ones' complement sum is
     * {@code payloadSum} ({@link Checksum#sum}).
     *
     * @return the number of frames
     */
    public int begin(long srcMac, long dstMac, int srcIp, int dstIp, int srcPort, int dstPort, int payloadLength,
                     int payloadSum, int ipId, int ttl, int mtu) {
        if (payloadLength < 0 || payloadLength > UdpDatagram.MAX_PAYLOAD) {
            throw new IllegalArgumentException("UDP payload must be 0.." + UdpDatagram.MAX_PAYLOAD + " bytes: " + payloadLength);
        }
        if (mtu < Ipv4Packet.MIN_MTU) {
            throw new IllegalArgumentException("MTU below 68: " + mtu);
        }
        this.srcMac = srcMac;
        this.dstMac = dstMac;
        this.srcIp = srcIp;
        this.dstIp = dstIp;
        this.srcPort = srcPort;
        this.dstPort = dstPort;
        this.payloadLength = payloadLength;
        this.ipId = ipId & 0xFFFF;
        this.ttl = ttl;
        int udpLength = UdpDatagram.HEADER_LEN + payloadLength;
        // RFC 768: the checksum covers the pseudo-header, the header (checksum field zero) and the data.
        int sum = Checksum.pseudoHeaderSum(srcIp, dstIp, Ipv4Packet.PROTO_UDP, udpLength);
        sum = Checksum.add(sum, Checksum.fold((long) (srcPort & 0xFFFF) + (dstPort & 0xFFFF) + udpLength));
        int c = Checksum.finish(Checksum.add(sum, payloadSum));
        this.checksum = c == 0 ? 0xFFFF : c; // a computed 0 is sent as all ones (RFC 768)
        if (Ipv4Packet.MIN_HEADER_LEN + udpLength <= mtu) {
            chunk = udpLength;
            frames = 1;
        } else {
            chunk = (mtu - Ipv4Packet.MIN_HEADER_LEN) & ~7;
            frames = Math.ceilDiv(udpLength, chunk);
        }
        return frames;
    }

    public int frames() {
        return frames;
    }

    /** Length of frame {@code k}'s header record. */
    public int headerLength(int k) {
        return k == 0 ? FIRST_HEADERS : LATER_HEADERS;
    }

    /** Where in the payload frame {@code k}'s body starts. */
    public int bodyOffset(int k) {
        return k == 0 ? 0 : k * chunk - UdpDatagram.HEADER_LEN;
    }

    /** Bytes of payload in frame {@code k}'s body. */
    public int bodyLength(int k) {
        int udpLength = UdpDatagram.HEADER_LEN + payloadLength;
        int end = Math.min(udpLength, (k + 1) * chunk);
        return end - k * chunk - (k == 0 ? UdpDatagram.HEADER_LEN : 0);
    }

    /** Writes frame {@code k}'s header record at {@code off}; returns its length. */
    public int writeHeaders(int k, MemorySegment m, long off) {
        if (k < 0 || k >= frames) {
            throw new IndexOutOfBoundsException("frame " + k + " of " + frames);
        }
        Headers.ethernet(m, off, dstMac, srcMac, EthernetFrame.ETHERTYPE_IPV4);
        int udpLength = UdpDatagram.HEADER_LEN + payloadLength;
        int fragmentBytes = Math.min(udpLength, (k + 1) * chunk) - k * chunk;
        boolean more = k < frames - 1;
        int flags = (more ? Ipv4Packet.FLAG_MF : 0) | (frames > 1 ? (k * chunk) >>> 3 : 0);
        Headers.ipv4(m, off + EthernetFrame.HEADER_LEN, srcIp, dstIp, Ipv4Packet.PROTO_UDP, fragmentBytes, ipId, ttl,
                flags);
        if (k == 0) {
            long u = off + LATER_HEADERS;
            BigEndian.u16(m, u, srcPort);
            BigEndian.u16(m, u + 2, dstPort);
            BigEndian.u16(m, u + 4, udpLength);
            BigEndian.u16(m, u + 6, checksum);
            return FIRST_HEADERS;
        }
        return LATER_HEADERS;
    }
}

package nemesis.inet;

import java.lang.foreign.MemorySegment;
import java.util.LinkedHashMap;
import java.util.Map;
import nemesis.drivers.ClientChannels;
import nemesis.inet.wire.IcmpPacket;
import nemesis.kernel.DomainContext;
import nemesis.wire.BigEndian;
import nemesis.wire.Checksum;
import nemesis.wire.EthernetFrame;
import nemesis.wire.Ipv4Packet;

/**
 * An ICMP echo client (RFC 792 "Echo or Echo Reply Message"): one flow bound to an echo
 * identifier (the flow manager's port space for protocol 1), so the driver routes the replies
 * with that identifier to it. Requests carry {@link Pattern} data, which the reply must echo.
 * Round-trip times come from the time each sequence number was sent (the last
 * {@value #REMEMBERED} are remembered).
 *
 * <p>A request fits one frame (up to {@link #MAX_DATA} bytes of data). One thread at a time;
 * the per-packet paths allocate nothing.
 */
public final class Pinger implements AutoCloseable {
    public static final int TIMEOUT = UdpSocket.TIMEOUT;
    public static final int UNREACHABLE = UdpSocket.UNREACHABLE;
    /** Data bytes in one frame: the MTU less the IPv4 and ICMP headers. */
    public static final int MAX_DATA = 1500 - Ipv4Packet.MIN_HEADER_LEN - IcmpPacket.HEADER_LEN;
    private static final int REMEMBERED = 1024;
    private static final int HEADERS = EthernetFrame.HEADER_LEN + Ipv4Packet.MIN_HEADER_LEN + IcmpPacket.HEADER_LEN;

    public enum Drop { NOT_ICMP, ICMP_BAD_CHECKSUM, NOT_ECHO_REPLY, WRONG_IDENTIFIER, UNKNOWN_SEQUENCE, BAD_DATA, DUPLICATE }

    private final InetMod inet;
    private final DomainContext ctx;
    private final ClientChannels channels;
    private final int flow;
    private final int identifier;
    private final HostConfig host;
    private final InetCosts costs;
    private final Ipv4Input in;
    private final IcmpPacket icmp = new IcmpPacket();
    private final ClientChannels.RxFrame rx = new ClientChannels.RxFrame();
    private final Counters<Drop> drops = new Counters<>(Drop.class);
    private final int[] sentSeq = new int[REMEMBERED];
    private final long[] sentAtNs = new long[REMEMBERED];
    private int ipId;
    private boolean closed;

    private long sent;
    private long received;
    private long lastRttNs;
    private int lastSourceIp;
    private int lastLength;

    Pinger(InetMod inet, ClientChannels channels, int flow, int identifier) {
        this.inet = inet;
        this.ctx = inet.domain();
        this.channels = channels;
        this.flow = flow;
        this.identifier = identifier;
        this.host = inet.config();
        this.costs = inet.costs();
        this.in = new Ipv4Input(host.ip(), null, 1);
        this.ipId = ctx.random().nextInt(0x10000);
        java.util.Arrays.fill(sentSeq, -1);
    }

    /** The echo identifier the flow manager gave us. */
    public int identifier() {
        return identifier;
    }

    /**
     * Sends echo request {@code seq} (0..65535) with {@code dataLength} bytes of data to
     * {@code dstIp}, waiting until {@code untilNs} for a transmit buffer.
     *
     * @return {@code dataLength}, {@link #TIMEOUT} or {@link #UNREACHABLE}
     */
    public int send(int dstIp, int seq, int dataLength, long untilNs) {
        if (closed) {
            throw new IllegalStateException("pinger is closed");
        }
        if (dataLength < 0 || dataLength > MAX_DATA || seq < 0 || seq > 0xFFFF) {
            throw new IllegalArgumentException("data 0.." + MAX_DATA + " bytes, sequence 0..65535: " + dataLength + ", " + seq);
        }
        long mac = inet.macFor(dstIp);
        if (mac < 0) {
            return UNREACHABLE;
        }
        int buf = channels.allocate(untilNs);
        if (buf < 0) {
            return TIMEOUT;
        }
        MemorySegment m = channels.txMemory();
        long h = channels.txHeaderOffset(buf);
        long body = channels.txBodyOffset(buf);
        Pattern.fill(m, body, dataLength, seq);
        Headers.ethernet(m, h, mac, host.mac(), EthernetFrame.ETHERTYPE_IPV4);
        Headers.ipv4(m, h + EthernetFrame.HEADER_LEN, host.ip(), dstIp, Ipv4Packet.PROTO_ICMP,
                IcmpPacket.HEADER_LEN + dataLength, ipId++, Ipv4Packet.DEFAULT_TTL, 0);
        long c = h + EthernetFrame.HEADER_LEN + Ipv4Packet.MIN_HEADER_LEN;
        BigEndian.u8(m, c, IcmpPacket.TYPE_ECHO_REQUEST);
        BigEndian.u8(m, c + 1, 0);
        BigEndian.u16(m, c + 2, 0);
        BigEndian.u16(m, c + 4, identifier);
        BigEndian.u16(m, c + 6, seq);
        // The checksum covers header and data, which lie in different records.
        int sum = Checksum.sum(m, c, IcmpPacket.HEADER_LEN, 0);
        sum = Checksum.sum(m, body, dataLength, sum);
        BigEndian.u16(m, c + 2, Checksum.finish(sum));
        ctx.consume(costs.icmpNs + costs.ipOutputNs + costs.checksumNs(IcmpPacket.HEADER_LEN + (long) dataLength)
                + costs.copyNs(dataLength));
        int slot = seq % REMEMBERED;
        sentSeq[slot] = seq;
        sentAtNs[slot] = ctx.nowNs();
        if (!channels.send(buf, HEADERS, dataLength, untilNs)) {
            channels.free(buf);
            sentSeq[slot] = -1;
            return TIMEOUT;
        }
        sent++;
        return dataLength;
    }

    /**
     * Waits until {@code untilNs} for the reply to a request we sent (its data intact).
     *
     * @return its sequence number ({@link #lastRttNs()} is its round-trip time), or {@link #TIMEOUT}
     */
    public int receive(long untilNs) {
        while (channels.receive(rx, untilNs)) {
            int seq = accept();
            channels.recycle(rx);
            if (seq >= 0) {
                received++;
                return seq;
            }
        }
        return TIMEOUT;
    }

    private int accept() {
        long cost = costs.ipInputNs;
        try {
            if (in.accept(rx.memory(), rx.offset(), rx.length(), ctx.nowNs()) != Ipv4Input.Result.DATAGRAM) {
                return -1;
            }
            Ipv4Packet d = in.datagram();
            if (d.protocol() != Ipv4Packet.PROTO_ICMP) {
                return drop(Drop.NOT_ICMP);
            }
            cost += costs.icmpNs + costs.checksumNs(d.payloadLength());
            IcmpPacket p = icmp.wrap(d.segment(), d.payloadOffset(), d.payloadLength());
            if (p.validate() != IcmpPacket.Check.OK) {
                return drop(Drop.ICMP_BAD_CHECKSUM);
            }
            if (p.type() != IcmpPacket.TYPE_ECHO_REPLY || p.code() != 0) {
                return drop(Drop.NOT_ECHO_REPLY);
            }
            if (p.echoId() != identifier) {
                return drop(Drop.WRONG_IDENTIFIER);
            }
            int seq = p.echoSequence();
            int slot = seq % REMEMBERED;
            if (sentSeq[slot] != seq) {
                return drop(sentSeq[slot] == -2 - seq ? Drop.DUPLICATE : Drop.UNKNOWN_SEQUENCE);
            }
            int len = p.payloadLength();
            if (Pattern.sequence(d.segment(), p.payloadOffset(), len) != (Pattern.hasSequence(len) ? seq : 0)
                    || !Pattern.verify(d.segment(), p.payloadOffset(), len)) {
                return drop(Drop.BAD_DATA);
            }
            sentSeq[slot] = -2 - seq; // answered: a second reply is a duplicate
            lastRttNs = ctx.nowNs() - sentAtNs[slot];
            lastSourceIp = d.src();
            lastLength = len;
            return seq;
        } finally {
            in.release();
            ctx.consume(cost);
        }
    }

    private int drop(Drop why) {
        drops.add(why);
        return -1;
    }

    /** Round-trip time of the last reply received. */
    public long lastRttNs() {
        return lastRttNs;
    }

    public int lastSourceIp() {
        return lastSourceIp;
    }

    /** Data bytes of the last reply. */
    public int lastLength() {
        return lastLength;
    }

    public long sent() {
        return sent;
    }

    public long received() {
        return received;
    }

    /** Sent, received, and every drop by reason (IP layer, then ICMP). */
    public Map<String, Long> counters() {
        Map<String, Long> m = new LinkedHashMap<>();
        m.put("requests_sent", sent);
        m.put("replies_received", received);
        m.put("frames_received", in.frames());
        in.drops().nonZero().forEach((k, v) -> m.put("drop_" + k, v));
        drops.nonZero().forEach((k, v) -> m.put("drop_" + k, v));
        return m;
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            inet.flowManager().close(flow);
        }
    }
}

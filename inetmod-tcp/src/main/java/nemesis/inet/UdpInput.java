package nemesis.inet;

import java.lang.foreign.MemorySegment;
import nemesis.inet.wire.UdpDatagram;
import nemesis.wire.Ipv4Packet;

/**
 * The receive side of one UDP socket (RFC 768; RFC 1122 §4.1.3): frames in, payloads out. IPv4
 * input ({@link Ipv4Input}, reassembly included), then the UDP header: a Length that fits, the
 * checksum when present (RFC 1122 §4.1.3.4: a datagram whose checksum fails is discarded
 * silently), our port. Pure, and never throws on any bytes.
 *
 * <p>Accounting: every datagram the IP layer hands over is either delivered or dropped by reason:
 * {@code ip().datagrams() == delivered() + drops().total()}, and every frame is accounted for
 * by {@link Ipv4Input}.
 *
 * <p>Use: {@code if (in.accept(...)) { copy in.payloadOffset() .. ; in.done(); }}.
 */
public final class UdpInput {
    public enum Drop { NOT_UDP, UDP_TRUNCATED, UDP_BAD_LENGTH, UDP_BAD_CHECKSUM, WRONG_PORT }

    private final Ipv4Input ip;
    private final int localPort;
    private final UdpDatagram udp = new UdpDatagram();
    private final Counters<Drop> drops = new Counters<>(Drop.class);
    private long delivered;
    private int srcIp;
    private int srcPort;
    private int udpLength;

    public UdpInput(Ipv4Input ip, int localPort) {
        this.ip = ip;
        this.localPort = localPort;
    }

    /** Takes a frame; true if it completed a datagram for us, whose payload is then described below. */
    public boolean accept(MemorySegment seg, long off, int len, long nowNs) {
        if (ip.accept(seg, off, len, nowNs) != Ipv4Input.Result.DATAGRAM) {
            return false;
        }
        Ipv4Packet d = ip.datagram();
        if (d.protocol() != Ipv4Packet.PROTO_UDP) {
            return drop(Drop.NOT_UDP);
        }
        udp.wrap(d.segment(), d.payloadOffset(), d.payloadLength());
        switch (udp.validate(d.payloadLength(), d.src(), d.dst())) {
            case OK -> { }
            case TRUNCATED -> { return drop(Drop.UDP_TRUNCATED); }
            case BAD_LENGTH -> { return drop(Drop.UDP_BAD_LENGTH); }
            case BAD_CHECKSUM -> { return drop(Drop.UDP_BAD_CHECKSUM); }
        }
        if (udp.dstPort() != localPort) {
            return drop(Drop.WRONG_PORT);
        }
        srcIp = d.src();
        srcPort = udp.srcPort();
        udpLength = udp.udpLength();
        delivered++;
        return true;
    }

    private boolean drop(Drop why) {
        drops.add(why);
        ip.release();
        return false;
    }

    /** Done with the payload of the last datagram accepted. */
    public void done() {
        ip.release();
    }

    public MemorySegment payloadSegment() {
        return udp.segment();
    }

    public long payloadOffset() {
        return udp.payloadOffset();
    }

    public int payloadLength() {
        return udpLength - UdpDatagram.HEADER_LEN;
    }

    /** The UDP length (header and payload): what the checksum covered. */
    public int udpLength() {
        return udpLength;
    }

    public int srcIp() {
        return srcIp;
    }

    public int srcPort() {
        return srcPort;
    }

    public int localPort() {
        return localPort;
    }

    public long delivered() {
        return delivered;
    }

    public Counters<Drop> drops() {
        return drops;
    }

    public Ipv4Input ip() {
        return ip;
    }
}

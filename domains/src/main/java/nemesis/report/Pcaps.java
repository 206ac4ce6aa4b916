package nemesis.report;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import nemesis.drivers.pcap.PcapReader;
import nemesis.drivers.pcap.PcapWriter;
import nemesis.report.TimeSequencePlot.Ack;
import nemesis.report.TimeSequencePlot.Segment;
import nemesis.wire.Ipv4Address;

/**
 * What the figures need from a capture: one TCP connection's data segments and ACKs (the inputs of
 * a {@link TimeSequencePlot}), payload bytes per interval (throughput over time) and data packets per
 * period. Frames are parsed by hand: Ethernet (optionally one VLAN tag) or raw IPv4, IPv4 without
 * fragments, TCP. Other frames are skipped.
 */
public final class Pcaps {
    /** The paper's Mb/s: 2^20 bits per second. */
    public static final double MBIT_BINARY = 1 << 20;
    /** 10^6 bits per second. */
    public static final double MBIT = 1e6;

    private static final int LINKTYPE_RAW = 101;
    private static final int LINKTYPE_IPV4 = 228;
    private static final int FLAG_SYN = 0x02;
    private static final int FLAG_ACK = 0x10;

    /**
     * One direction of a connection seen from its data sender. Sequence and ACK numbers are relative
     * to {@code base}, the 32-bit sequence number of the first data byte (the SYN's plus one, or the
     * first one seen), and unwrapped past 2^32. Segments carry payload (SYN, FIN and pure ACKs
     * without data are left out), in capture order, a segment that starts below the highest sequence
     * number sent before it is a retransmission. ACKs are every packet from the peer with the ACK flag.
     */
    public record Flow(List<Segment> segments, List<Ack> acks, long base, int peerIp, int peerPort) {
        public Flow {
            segments = List.copyOf(segments);
            acks = List.copyOf(acks);
        }

        /** Payload bytes sent, retransmissions included. */
        public long bytesSent() {
            return segments.stream().mapToLong(Segment::length).sum();
        }

        public long retransmissions() {
            return segments.stream().filter(Segment::retransmission).count();
        }
    }

    private Pcaps() {
    }

    /** The connection sending from {@code senderIp:senderPort} in a pcap file, windows unscaled. */
    public static Flow tcpFlow(Path pcap, String senderIp, int senderPort) throws IOException {
        return tcpFlow(PcapReader.read(pcap), Ipv4Address.parse(senderIp), senderPort, 0);
    }

    /** As {@link #tcpFlow(Path, String, int)}, the peer's windows shifted left by {@code windowShift}. */
    public static Flow tcpFlow(Path pcap, String senderIp, int senderPort, int windowShift) throws IOException {
        return tcpFlow(PcapReader.read(pcap), Ipv4Address.parse(senderIp), senderPort, windowShift);
    }

    /**
     * The connection whose data leaves {@code senderIp:senderPort}; the peer is the destination of
     * the first packet from there. Windows in the peer's packets are shifted left by
     * {@code windowShift} (the window scale it announced, RFC 7323), except in SYNs.
     */
    public static Flow tcpFlow(PcapReader.Capture capture, int senderIp, int senderPort, int windowShift) {
        if (windowShift < 0 || windowShift > 14) {
            throw new IllegalArgumentException("window shift " + windowShift + " not in 0..14");
        }
        int link = capture.linktype();
        if (link != PcapWriter.LINKTYPE_ETHERNET && link != LINKTYPE_RAW && link != LINKTYPE_IPV4) {
            throw new IllegalArgumentException("unsupported pcap link type " + link + " (want Ethernet or raw IPv4)");
        }
        List<Segment> segments = new ArrayList<>();
        List<Ack> acks = new ArrayList<>();
        boolean known = false;
        long base = 0;
        int peerIp = 0;
        int peerPort = 0;
        long lastSeq = 0;
        long lastAck = 0;
        long highest = 0; // highest relative sequence number sent + 1
        for (PcapReader.Record r : capture.records()) {
            Tcp t = parse(r.data(), link);
            if (t == null) {
                continue;
            }
            if (t.srcIp == senderIp && t.srcPort == senderPort) {
                if (!known) {
                    known = true;
                    peerIp = t.dstIp;
                    peerPort = t.dstPort;
                    base = (t.seq + ((t.flags & FLAG_SYN) != 0 ? 1 : 0)) & 0xFFFF_FFFFL;
                    if (t.payload == 0) {
                        continue;
                    }
                }
                if (t.dstIp != peerIp || t.dstPort != peerPort || t.payload == 0) {
                    continue;
                }
                long seq = unwrap(t.seq, base, lastSeq);
                lastSeq = seq;
                segments.add(new Segment(r.timestampNs(), seq, t.payload, seq < highest));
                highest = Math.max(highest, seq + t.payload);
            } else if (known && t.srcIp == peerIp && t.srcPort == peerPort && t.dstIp == senderIp
                    && t.dstPort == senderPort && (t.flags & FLAG_ACK) != 0) {
                long ack = unwrap(t.ack, base, lastAck);
                lastAck = ack;
                long window = (t.flags & FLAG_SYN) != 0 ? t.window : (long) t.window << windowShift;
                acks.add(new Ack(r.timestampNs(), ack, window));
            }
        }
        return new Flow(segments, acks, base, peerIp, peerPort);
    }

    /**
     * The connection that {@code senderIp} opened to port {@code dstPort} (its first SYN there), as
     * {@link #tcpFlow(PcapReader.Capture, int, int, int)}; null if the capture has no such SYN.
     */
    public static Flow tcpFlowTo(PcapReader.Capture capture, int senderIp, int dstPort, int windowShift) {
        int port = senderPort(capture, senderIp, dstPort);
        return port < 0 ? null : tcpFlow(capture, senderIp, port, windowShift);
    }

    /** The source port of the first SYN from {@code senderIp} to {@code dstPort}, or -1. */
    public static int senderPort(PcapReader.Capture capture, int senderIp, int dstPort) {
        for (PcapReader.Record r : capture.records()) {
            Tcp t = parse(r.data(), capture.linktype());
            if (t != null && t.srcIp == senderIp && t.dstPort == dstPort
                    && (t.flags & (FLAG_SYN | FLAG_ACK)) == FLAG_SYN) {
                return t.srcPort;
            }
        }
        return -1;
    }

    /** {@code raw - base} (mod 2^32) as the value nearest {@code near}. */
    private static long unwrap(long raw, long base, long near) {
        return near + (int) (raw - base - near);
    }

    private record Tcp(int srcIp, int dstIp, int srcPort, int dstPort, long seq, long ack, int flags, int window,
                       int payload) {
    }

    /** The TCP header fields of an IPv4 packet, or null if the frame is something else. */
    private static Tcp parse(byte[] b, int link) {
        int ip = 0;
        if (link == PcapWriter.LINKTYPE_ETHERNET) {
            if (b.length < 14) {
                return null;
            }
            int type = u16(b, 12);
            ip = 14;
            if (type == 0x8100 && b.length >= 18) {
                type = u16(b, 16);
                ip = 18;
            }
            if (type != 0x0800) {
                return null;
            }
        }
        if (b.length < ip + 20 || (b[ip] & 0xF0) != 0x40 || b[ip + 9] != 6) {
            return null;
        }
        int ihl = (b[ip] & 0x0F) * 4;
        int total = u16(b, ip + 2);
        if (ihl < 20 || (u16(b, ip + 6) & 0x3FFF) != 0) { // a fragment: no whole segment here
            return null;
        }
        int tcp = ip + ihl;
        if (b.length < tcp + 20) {
            return null;
        }
        int dataOffset = (b[tcp + 12] >> 4 & 0x0F) * 4;
        int payload = total - ihl - dataOffset;
        if (dataOffset < 20 || payload < 0) {
            return null;
        }
        return new Tcp(i32(b, ip + 12), i32(b, ip + 16), u16(b, tcp), u16(b, tcp + 2),
                i32(b, tcp + 4) & 0xFFFF_FFFFL, i32(b, tcp + 8) & 0xFFFF_FFFFL, b[tcp + 13] & 0xFF, u16(b, tcp + 14),
                payload);
    }

    private static int u16(byte[] b, int at) {
        return (b[at] & 0xFF) << 8 | b[at + 1] & 0xFF;
    }

    private static int i32(byte[] b, int at) {
        return u16(b, at) << 16 | u16(b, at + 2);
    }

    // ---------------------------------------------------------------- throughput and periods

    /**
     * New payload bytes (not resent ones) sent in each of {@code count} intervals of
     * {@code intervalNs} from {@code startNs}; segments must be in time order, as a Flow's are.
     */
    public static long[] bytesPerInterval(List<Segment> segments, long startNs, long intervalNs, int count) {
        check(intervalNs, count);
        long[] out = new long[count];
        long highest = Long.MIN_VALUE;
        for (Segment s : segments) {
            long end = s.seq() + s.length();
            long fresh = highest == Long.MIN_VALUE ? s.length() : Math.max(0, end - Math.max(s.seq(), highest));
            highest = Math.max(highest, end);
            long i = Math.floorDiv(s.timeNs() - startNs, intervalNs);
            if (i >= 0 && i < count) {
                out[(int) i] += fresh;
            }
        }
        return out;
    }

    /**
     * Throughput per interval as chart points {interval start in s, rate in units of
     * {@code bitsPerUnit} per second} (e.g. {@link #MBIT_BINARY}): draw them with {@code XyChart.Style.STEP}.
     */
    public static double[][] throughput(List<Segment> segments, long startNs, long intervalNs, int count,
                                        double bitsPerUnit) {
        long[] bytes = bytesPerInterval(segments, startNs, intervalNs, count);
        double[][] out = new double[count][];
        for (int i = 0; i < count; i++) {
            out[i] = new double[] {(startNs + i * intervalNs) / 1e9, bytes[i] * 8.0 / (intervalNs / 1e9) / bitsPerUnit};
        }
        return out;
    }

    /** Data packets (retransmissions included) sent in each of {@code count} periods from {@code periodStartNs}. */
    public static int[] packetsPerPeriod(List<Segment> segments, long periodStartNs, long periodNs, int count) {
        check(periodNs, count);
        int[] out = new int[count];
        for (Segment s : segments) {
            long i = Math.floorDiv(s.timeNs() - periodStartNs, periodNs);
            if (i >= 0 && i < count) {
                out[(int) i]++;
            }
        }
        return out;
    }

    /** As {@link #packetsPerPeriod(List, long, long, int)}, through the period of the last segment. */
    public static int[] packetsPerPeriod(List<Segment> segments, long periodStartNs, long periodNs) {
        check(periodNs, 0);
        long last = segments.stream().mapToLong(Segment::timeNs).max().orElse(periodStartNs - 1);
        long count = last < periodStartNs ? 0 : (last - periodStartNs) / periodNs + 1;
        return packetsPerPeriod(segments, periodStartNs, periodNs, Math.toIntExact(count));
    }

    private static void check(long lengthNs, int count) {
        if (lengthNs <= 0 || count < 0) {
            throw new IllegalArgumentException("need a positive length and a count >= 0, not " + lengthNs + " ns x "
                    + count);
        }
    }
}

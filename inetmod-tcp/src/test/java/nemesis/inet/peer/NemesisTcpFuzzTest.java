package nemesis.inet.peer;

import static nemesis.inet.peer.NemesisTcpFaultProperties.BOUND_NS;
import static nemesis.inet.peer.NemesisTcpFaultProperties.HOST_IP;
import static nemesis.inet.peer.NemesisTcpFaultProperties.MS;
import static nemesis.inet.peer.NemesisTcpFaultProperties.PEER_IP;
import static nemesis.inet.peer.NemesisTcpFaultProperties.RUN_NS;
import static nemesis.inet.peer.NemesisTcpFaultProperties.S;
import static nemesis.inet.peer.NemesisTcpFaultProperties.SEND_PORT;
import static nemesis.inet.peer.NemesisTcpFaultProperties.SINK_PORT;
import static nemesis.inet.peer.NemesisTcpFaultProperties.TX;
import static nemesis.inet.peer.NemesisTcpFaultProperties.US;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.function.Supplier;
import nemesis.drivers.sim.End;
import nemesis.drivers.sim.Faults;
import nemesis.drivers.sim.Frame;
import nemesis.inet.FrameFuzzer;
import nemesis.inet.Headers;
import nemesis.inet.InetMod;
import nemesis.inet.StreamMeter;
import nemesis.inet.StreamPattern;
import nemesis.inet.TcpServerSocket;
import nemesis.inet.TcpSocket;
import nemesis.inet.tcp.CloseReason;
import nemesis.inet.tcp.TcpConnection;
import nemesis.inet.tcp.TcpCounters;
import nemesis.inet.tcp.TcpState;
import nemesis.inet.wire.TcpChecksum;
import nemesis.inet.wire.TcpHeader;
import nemesis.inet.wire.TcpHeaderOut;
import nemesis.wire.BigEndian;
import nemesis.wire.Ipv4Packet;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.RandomDistribution;
import net.jqwik.api.ShrinkingMode;
import net.jqwik.api.lifecycle.AfterProperty;
import net.jqwik.api.lifecycle.BeforeProperty;

/**
 * Random and mutated segments injected into a live TCP connection of a Nemesis domain (its
 * {@link TcpSocket} in the emulated kernel, behind the driver and the flow manager) while it
 * carries a {@link StreamPattern} stream, either way, with the simulated peer's conventional TCP;
 * the frames go straight onto the wire from the peer's end, interleaved with the peer's own
 * (the wire also loses, duplicates and reorders 1% and corrupts 0.5% of the frames). What goes in:
 * <ul>
 *   <li>garbage frames of every kind ({@link FrameFuzzer}: random bytes, mutated UDP, IP
 *       fragments, ARP, ICMP);</li>
 *   <li>real segments of the connection (captured as the peer sent them) with bytes changed, cut
 *       short or lengthened, checksums left as they were: the IP or TCP checksum must catch them
 *       (a mutation that happens to keep both checksums right is not sent);</li>
 *   <li>segments with valid checksums, so that they reach TCP, made from a real segment or from
 *       nothing: control bits random or flipped, sequence numbers at, inside, before and far from
 *       the window, acknowledgment numbers old or far off, random windows and urgent pointers,
 *       SYN options, timestamps, SACK blocks and random (often truncated) option bytes, a data
 *       offset below 5 or past the segment, IP fragments, IP options, wrong lengths, addresses
 *       and ports, TTL 0.</li>
 * </ul>
 * The domains must not crash, and the stream delivered must be byte-exact: all of it, then EOF
 * (or the peer's count and FIN), within {@link NemesisTcpFaultProperties#BOUND_NS}; or, if one of
 * our RSTs reset the connection (its sequence number the RCV.NXT the connection had reached,
 * which RFC 5961 §3.2 accepts: legitimate, and about one run in ten), an exact prefix. Every
 * segment that reached the connection is accounted for (processed or dropped for a reason). Over
 * the runs, at least 80% must complete, and the injections must have reached every layer (frames
 * failing the sockets' checks, challenge ACKs, out-of-window drops).
 *
 * <p>What no TCP can detect is left out, since it would not test the implementation: injected
 * payload is always the true stream's bytes at the segment's sequence number, clipped to what the
 * peer has sent; a FIN only at the true end once the peer sent its own; no sequence number beyond
 * what the peer has sent and inside the window (an acceptable segment "from the future" would
 * move SND.WL1 past the peer's real segments, whose window updates would then be ignored);
 * acknowledgment numbers never cover the Nemesis side's unacknowledged data (nor come near
 * SND.MAX from above, which it may reach before the segment arrives); timestamps never newer than
 * the peer's last (RFC 7323 §5.8: PAWS would then drop the peer's real segments); a data offset
 * that is wrong but fits (the header/payload boundary moves, and the "payload" would be garbage
 * of valid checksum). Injection starts once the connection is established.
 *
 * <p>3,000 runs (sizes up to 128 KiB, either direction, both machines; ~300 injections each):
 * about 6 s on two cores. A soak of 20,000 runs (6.4 million frames injected) passed.
 */
class NemesisTcpFuzzTest {
    static final Faults FAULTS = new Faults(0.01, 0.01, 0.01, 0.005);
    /**
     * Injections per run at most: one every 0..400 us (mean 200 us) from the moment the connection
     * is there until the transfer is over, and one soon after half of the peer's segments.
     */
    static final int MAX_INJECTIONS = 1_500;
    static final int HOST_PORT_SEND = SEND_PORT;

    /** What one run did, for the property's totals. */
    record Outcome(boolean complete, boolean reset, int injected, int structured, int rawMutants, int garbage,
                   TcpCounters counters, long framesDropped) {
    }

    /** The injector: watches the wire, builds frames, puts them on the wire at the peer's end. */
    static final class Injector {
        final NemesisTcpFaultProperties.Bed b;
        final Random r;
        final boolean peerSends;
        final long total;
        final TcpSocket[] sock;
        final FrameFuzzer garbage;
        final TcpHeaderOut h = new TcpHeaderOut();
        final TcpHeader parse = new TcpHeader();
        final Ipv4Packet ip = new Ipv4Packet();
        final List<byte[]> templates = new ArrayList<>();
        /** Frames we put on the wire and it has not started yet: the capture sees them too, and must not learn from them. */
        final Set<Frame> ours = Collections.newSetFromMap(new IdentityHashMap<>());
        boolean done;
        // the peer's side as the wire shows it (sequence numbers of the peer's stream)
        boolean peerSeen;
        int peerSentEnd; // highest sequence number the peer has sent up to (exclusive; its FIN counts)
        boolean peerFinSent;
        int lastPeerTsVal;
        boolean peerTs;
        // figures
        int injected;
        int structured;
        int rawMutants;
        int garbageFrames;
        int exactRsts;
        /** The sequence numbers of the RSTs we sent: one that is RCV.NXT when it arrives resets, legitimately. */
        final List<Integer> rstSeqs = new ArrayList<>();
        final Runnable tick = this::tick;

        Injector(NemesisTcpFaultProperties.Bed b, long seed, boolean peerSends, long total, TcpSocket[] sock) {
            this.b = b;
            this.r = new Random(seed * 31 + 17);
            this.peerSends = peerSends;
            this.total = total;
            this.sock = sock;
            this.garbage = new FrameFuzzer(seed);
            b.net.link().capture(this::sawFrame);
        }

        TcpConnection conn() {
            TcpSocket s = sock[0];
            return s == null ? null : s.connection();
        }

        boolean live() {
            TcpConnection c = conn();
            return c != null && c.state().isSynchronized() && c.state() != TcpState.TIME_WAIT
                    && c.state() != TcpState.CLOSED;
        }

        /** Every frame as it starts onto the wire: the peer's segments of the connection are remembered. */
        void sawFrame(long t, End from, Frame f) {
            if (ours.remove(f)) {
                return;
            }
            if (from != End.B || f.length() < 54 || f.bytes()[12] != 0x08 || f.bytes()[13] != 0x00) {
                return;
            }
            TcpConnection c = conn();
            MemorySegment m = f.segment();
            Ipv4Packet p = ip.wrap(m, 14, f.length() - 14);
            if (p.validate() != Ipv4Packet.Check.OK || p.protocol() != Ipv4Packet.PROTO_TCP || p.isFragment()) {
                return;
            }
            int tl = p.totalLength() - p.headerLength();
            TcpHeader s = parse.wrap(m, 14 + p.headerLength(), tl);
            if (s.validate(tl, p.src(), p.dst()) != TcpHeader.Check.OK || c == null
                    || s.srcPort() != c.remotePort() || s.dstPort() != c.localPort()) {
                return;
            }
            int len = tl - s.headerLength();
            int end = s.seq() + len + (s.has(TcpHeader.SYN) ? 1 : 0) + (s.has(TcpHeader.FIN) ? 1 : 0);
            if (!peerSeen || end - peerSentEnd > 0) {
                peerSentEnd = end;
                peerSeen = true;
            }
            peerFinSent |= s.has(TcpHeader.FIN);
            if (s.hasTimestamps()) {
                if (!peerTs || s.tsVal() - lastPeerTsVal > 0) {
                    lastPeerTsVal = s.tsVal();
                }
                peerTs = true;
            }
            if (templates.size() < 32) {
                templates.add(Arrays.copyOf(f.bytes(), f.length()));
            } else {
                templates.set(r.nextInt(templates.size()), Arrays.copyOf(f.bytes(), f.length()));
            }
            // A mutant of this very segment, soon.
            if (!done && injected < MAX_INJECTIONS && r.nextBoolean()) {
                b.kernel.at(b.kernel.clock().nowNs() + 1 + r.nextInt(200) * US, this::injectOne);
            }
        }

        void start(long atNs) {
            b.kernel.at(atNs, tick);
        }

        private void tick() {
            if (done || injected >= MAX_INJECTIONS) {
                return;
            }
            injectOne();
            b.kernel.at(b.kernel.clock().nowNs() + r.nextInt(400) * US + 1, tick);
        }

        private void injectOne() {
            if (done || injected >= MAX_INJECTIONS) {
                return;
            }
            byte[] f;
            int kind = r.nextInt(100);
            if (kind < 10 || !live()) {
                int len = garbage.next();
                if (len <= 0) {
                    return;
                }
                f = Arrays.copyOf(garbage.frame, len);
                garbageFrames++;
            } else if (kind < 25 && !templates.isEmpty()) {
                f = rawMutant();
                if (f == null) {
                    return;
                }
                rawMutants++;
            } else {
                f = forged();
                if (f == null) {
                    return;
                }
                structured++;
            }
            Frame fr = b.net.pool().allocate();
            if (fr == null) {
                return;
            }
            fr.copyFrom(f, 0, f.length);
            ours.add(fr);
            b.net.link().send(End.B, fr, b.kernel.clock().nowNs());
            injected++;
        }

        /** A real segment with bytes changed, cut or lengthened, checksums not made right again. */
        private byte[] rawMutant() {
            byte[] t = templates.get(r.nextInt(templates.size()));
            byte[] f;
            switch (r.nextInt(4)) {
                case 0 -> f = Arrays.copyOf(t, 14 + r.nextInt(t.length - 14)); // cut short
                case 1 -> {
                    f = Arrays.copyOf(t, Math.min(Frame.CAPACITY, t.length + 1 + r.nextInt(100))); // junk after
                    for (int i = t.length; i < f.length; i++) {
                        f[i] = (byte) r.nextInt(256);
                    }
                }
                default -> {
                    f = t.clone();
                    for (int c = 1 + r.nextInt(4); c > 0; c--) {
                        int at = 14 + (r.nextInt(3) > 0 ? r.nextInt(Math.min(f.length - 14, 60)) : r.nextInt(f.length - 14));
                        f[at] = (byte) (r.nextInt(3) == 0 ? r.nextInt(256) : f[at] ^ (1 << r.nextInt(8)));
                    }
                }
            }
            return passesChecks(f) && !Arrays.equals(f, 0, Math.min(f.length, t.length), t, 0, Math.min(f.length, t.length))
                    ? null // still valid and changed: it could carry bytes that are not the stream's
                    : f;
        }

        /** Whether a frame would pass the IP and TCP checks (and is TCP, unfragmented). */
        private boolean passesChecks(byte[] f) {
            if (f.length < 34) {
                return false;
            }
            MemorySegment m = MemorySegment.ofArray(f);
            Ipv4Packet p = ip.wrap(m, 14, f.length - 14);
            if (p.validate() != Ipv4Packet.Check.OK || p.protocol() != Ipv4Packet.PROTO_TCP || p.isFragment()) {
                return false;
            }
            int tl = p.totalLength() - p.headerLength();
            return parse.wrap(m, 14 + p.headerLength(), tl).validate(tl, p.src(), p.dst()) == TcpHeader.Check.OK;
        }

        /** A segment for the connection with valid checksums (usually), made as the class comment says. */
        private byte[] forged() {
            TcpConnection c = conn();
            int rcvNxt = c.rcvNxt();
            long wnd = Math.max(1, c.rcvWnd());
            int irs = c.irs();
            h.clear();
            h.srcIp = PEER_IP;
            h.dstIp = HOST_IP;
            h.srcPort = c.remotePort();
            h.dstPort = c.localPort();
            byte[] rawOptions = null;
            int seq;
            boolean fromTemplate = !templates.isEmpty() && r.nextInt(3) == 0;
            if (fromTemplate) {
                byte[] t = templates.get(r.nextInt(templates.size()));
                Ipv4Packet p = ip.wrap(MemorySegment.ofArray(t), 14, t.length - 14);
                int tl = p.totalLength() - p.headerLength();
                TcpHeader s = parse.wrap(MemorySegment.ofArray(t), 14 + p.headerLength(), tl);
                s.validateHeader(tl);
                seq = s.seq();
                switch (r.nextInt(6)) {
                    case 0 -> seq += r.nextInt(3001) - 1500;
                    case 1 -> seq += (int) (r.nextDouble() * 2 * wnd);
                    case 2 -> seq += 1 << 31;
                    default -> { }
                }
                h.flags = s.flags();
                h.window = s.window();
                h.ack = s.ack();
                int ol = s.headerLength() - TcpHeader.MIN_HEADER_LEN;
                rawOptions = Arrays.copyOfRange(t, 14 + p.headerLength() + 20, 14 + p.headerLength() + 20 + ol);
                if (ol > 0 && r.nextInt(3) == 0) {
                    // the real options mutated: a byte changed, or cut by whole words (the last
                    // option's length byte then points past the header)
                    if (r.nextBoolean()) {
                        rawOptions[r.nextInt(ol)] = (byte) r.nextInt(256);
                    } else {
                        rawOptions = Arrays.copyOf(rawOptions, ol - 4 * (1 + r.nextInt(ol / 4)));
                    }
                }
            } else {
                seq = switch (r.nextInt(5)) {
                    case 0 -> r.nextInt();
                    case 1 -> rcvNxt;
                    case 2 -> rcvNxt + (int) (r.nextDouble() * 2 * wnd);
                    case 3 -> rcvNxt - r.nextInt(100_000);
                    default -> rcvNxt + r.nextInt(3000) - 1500;
                };
                h.flags = r.nextInt(256);
                h.window = r.nextInt(65536);
                h.ack = 0;
            }
            if (r.nextInt(4) == 0) {
                h.flags ^= 1 << r.nextInt(8);
            }
            // Nothing from the future inside (or near) the window.
            int sentEnd = peerSeen ? peerSentEnd : rcvNxt;
            if (seq - sentEnd > 0 && seq - rcvNxt <= wnd + 65536 && seq - rcvNxt >= 0) {
                seq = r.nextBoolean() ? sentEnd : seq + (1 << 30);
            }
            // Payload: the true stream at seq (offset 0 is IRS + 1), only what the peer has sent.
            long off = Integer.toUnsignedLong(seq - (irs + 1));
            int len = r.nextInt(4) == 0 ? 0 : r.nextInt(1600);
            long sent = peerSends ? Math.min(total, Math.max(0, Integer.toUnsignedLong(sentEnd - (irs + 1))
                    - (peerFinSent ? 1 : 0))) : 0;
            if ((seq - (irs + 1)) < 0 || off >= sent) {
                len = 0;
            } else {
                len = (int) Math.min(len, sent - off);
            }
            // A FIN only at the true end, once the peer has sent it.
            if ((h.flags & TcpHeader.FIN) != 0 && (!peerSends || !peerFinSent || off + len != total)) {
                h.flags &= ~TcpHeader.FIN;
            }
            if ((h.flags & TcpHeader.FIN) != 0 && !peerSends) {
                h.flags &= ~TcpHeader.FIN;
            }
            // RSTs stay rare: most runs should complete.
            if ((h.flags & TcpHeader.RST) != 0 && r.nextInt(300) != 0) {
                h.flags &= ~TcpHeader.RST;
            }
            h.seq = seq;
            // ACK: never for the Nemesis side's data in flight, nor near SND.MAX from above.
            int una = c.sndUna();
            int max = c.sndMax();
            if (!fromTemplate || r.nextInt(3) == 0) {
                h.ack = switch (r.nextInt(3)) {
                    case 0 -> una - r.nextInt(70_000);
                    case 1 -> una;
                    default -> r.nextInt();
                };
            }
            if (h.ack - una > 0 && h.ack - max <= (1 << 20)) {
                h.ack = una;
            }
            h.urgent = r.nextInt(8) == 0 ? r.nextInt(65536) : 0;
            if (rawOptions == null) {
                switch (r.nextInt(4)) {
                    case 0 -> {
                        h.mss = r.nextBoolean() ? r.nextInt(65536) : -1;
                        h.wscale = r.nextBoolean() ? r.nextInt(256) : -1;
                        h.sackPermitted = r.nextBoolean();
                    }
                    case 1 -> {
                        h.timestamps = r.nextBoolean();
                        if (h.timestamps) {
                            h.tsVal = lastPeerTsVal - r.nextInt(1 << 20);
                            h.tsEcr = r.nextInt();
                        }
                        h.sackCount = r.nextInt(h.timestamps ? 4 : 5);
                        for (int i = 0; i < h.sackCount; i++) {
                            h.sackLeft[i] = una + r.nextInt(200_000) - 100_000;
                            h.sackRight[i] = h.sackLeft[i] + r.nextInt(100_000) - 1000;
                        }
                    }
                    case 2 -> {
                        rawOptions = new byte[4 * r.nextInt(11)];
                        r.nextBytes(rawOptions);
                    }
                    default -> { }
                }
            }
            int hl = rawOptions != null ? TcpHeader.MIN_HEADER_LEN + rawOptions.length : h.headerLength();
            // IP options now and then (a valid header, longer)
            int ipOpts = r.nextInt(30) == 0 ? 4 * (1 + r.nextInt(10)) : 0;
            int ipHl = 20 + ipOpts;
            len = Math.min(len, Frame.CAPACITY - 14 - ipHl - hl); // up to 4 bytes more than the MTU: the driver's to refuse
            if (len < 0 || (len == 0 && (h.flags & TcpHeader.FIN) != 0 && off != total)) {
                return null;
            }
            if ((h.flags & TcpHeader.FIN) != 0 && off + len != total) {
                h.flags &= ~TcpHeader.FIN;
            }
            int tcpLen = hl + len;
            byte[] f = new byte[14 + ipHl + tcpLen];
            MemorySegment m = MemorySegment.ofArray(f);
            int t = 14 + ipHl;
            h.write(m, t);
            if (rawOptions != null) {
                // the raw bytes replace whatever options h wrote; the data offset says how many
                BigEndian.u8(m, t + TcpHeader.DATA_OFFSET_OFFSET, (hl / 4) << 4);
                System.arraycopy(rawOptions, 0, f, t + 20, rawOptions.length);
            }
            for (int k = 0; k < len; k++) {
                f[t + hl + k] = StreamPattern.at(off + k);
            }
            TcpChecksum.fill(m, t, tcpLen, h.srcIp, h.dstIp);
            // Raw option bytes must not carry a timestamp newer than the peer's.
            parse.wrap(m, t, tcpLen);
            if (parse.validate(tcpLen, h.srcIp, h.dstIp) == TcpHeader.Check.OK && parse.hasTimestamps()
                    && c.timestamps() && (!peerTs || parse.tsVal() - lastPeerTsVal > 0)) {
                return null;
            }
            int ipFlags = Ipv4Packet.FLAG_DF;
            int protocol = Ipv4Packet.PROTO_TCP;
            int ttl = 64;
            int srcIp = h.srcIp;
            int dstIp = h.dstIp;
            int ipLen = tcpLen;
            int frameLen = f.length;
            boolean refill = false;
            switch (r.nextInt(40)) {
                case 0 -> ipFlags = Ipv4Packet.FLAG_MF; // a first fragment
                case 1 -> ipFlags = 1 + r.nextInt(Ipv4Packet.FRAGMENT_OFFSET_MASK); // a later fragment
                case 2 -> ttl = 0;
                case 3 -> { // another host: no flow of ours
                    srcIp = PEER_IP + 1 + r.nextInt(5);
                    refill = true;
                }
                case 4 -> { // not for us
                    dstIp = HOST_IP + 1 + r.nextInt(5);
                    refill = true;
                }
                case 5 -> { // another remote port
                    BigEndian.u16(m, t, (h.srcPort + 1 + r.nextInt(100)) & 0xFFFF);
                    refill = true;
                }
                case 6 -> { // another local port
                    BigEndian.u16(m, t + 2, (h.dstPort + 1 + r.nextInt(100)) & 0xFFFF);
                    refill = true;
                }
                case 7 -> { // a data offset below 5 or past the segment: the segment must be dropped
                    int doff = r.nextBoolean() ? r.nextInt(5) : Math.min(15, tcpLen / 4 + 1 + r.nextInt(4));
                    if (doff * 4 > tcpLen || doff < 5) {
                        BigEndian.u8(m, t + TcpHeader.DATA_OFFSET_OFFSET, doff << 4);
                        TcpChecksum.fill(m, t, tcpLen, srcIp, dstIp);
                    }
                }
                case 8 -> { // cut short, checksum right for what is left: a shorter segment (without its FIN)
                    ipLen = r.nextInt(tcpLen + 1);
                    if (ipLen >= TcpHeader.MIN_HEADER_LEN) {
                        BigEndian.u8(m, t + TcpHeader.FLAGS_OFFSET,
                                BigEndian.u8(m, t + TcpHeader.FLAGS_OFFSET) & ~TcpHeader.FIN);
                        TcpChecksum.fill(m, t, ipLen, srcIp, dstIp);
                    }
                    // the rest of the bytes stay in the frame, after the datagram, or go
                    frameLen = 14 + ipHl + ipLen + (r.nextBoolean() ? 0 : tcpLen - ipLen);
                }
                case 9 -> ipLen = tcpLen + 1 + r.nextInt(100); // a total length past the frame
                case 10 -> protocol = Ipv4Packet.PROTO_UDP; // the same bytes as UDP
                default -> { }
            }
            if (refill) {
                TcpChecksum.fill(m, t, tcpLen, srcIp, dstIp);
            }
            Headers.ethernet(m, 0, SimNetwork.Config.HOST.mac(), SimNetwork.Config.PEER.mac(), 0x0800);
            Headers.ipv4(m, 14, srcIp, dstIp, protocol, ipLen, r.nextInt(65536), ttl, ipFlags);
            if (ipOpts > 0) {
                BigEndian.u8(m, 14, 0x40 | (ipHl / 4));
                BigEndian.u16(m, 16, ipHl + ipLen);
                for (int k = 0; k < ipOpts; k++) {
                    f[14 + 20 + k] = (byte) (k == ipOpts - 1 ? 0 : 1); // NOPs, then EOL
                }
                BigEndian.u16(m, 24, 0);
                BigEndian.u16(m, 24, nemesis.wire.Checksum.compute(m, 14, ipHl));
            }
            if ((h.flags & TcpHeader.RST) != 0) {
                rstSeqs.add(seq);
                if (seq == rcvNxt) {
                    exactRsts++;
                }
            }
            return frameLen == f.length ? f : Arrays.copyOf(f, frameLen);
        }
    }

    // ==========================================================================================
    // A run
    // ==========================================================================================

    static Outcome run(String machine, long seed, boolean nemesisSends, long n) {
        NemesisTcpFaultProperties.Bed b = new NemesisTcpFaultProperties.Bed(machine, seed, FAULTS,
                nemesisSends ? List.of(new PeerService.TcpSink(SINK_PORT, true))
                        : List.of(new PeerService.TcpSend(HOST_IP, HOST_PORT_SEND, n, 50 * MS, true)));
        TcpSocket[] sock = new TcpSocket[1];
        Injector inj = new Injector(b, seed, !nemesisSends, n, sock);
        Random r = new Random(seed ^ 0xF022L);
        NemesisTcpFaultProperties.ReadResult res = new NemesisTcpFaultProperties.ReadResult();
        long[] doneNs = {-1};
        String[] closedBy = {null};
        long[] arpFailures = {0};
        b.client("app", 1 * MS, ctx -> {
            InetMod inet = InetMod.attach(ctx);
            TcpSocket s;
            if (nemesisSends) {
                NemesisTcpFaultProperties.resolvePeer(inet, ctx, BOUND_NS, arpFailures);
                s = inet.connectTcp(PEER_IP, SINK_PORT, TX, BOUND_NS);
            } else {
                TcpServerSocket l = inet.listenTcp(HOST_PORT_SEND, TX);
                s = l.accept(BOUND_NS);
                l.close();
                if (s == null) {
                    return;
                }
            }
            sock[0] = s;
            inj.start(ctx.nowNs() + 1);
            try {
                if (nemesisSends) {
                    NemesisTcpFaultProperties.writePattern(s, n, 0, r);
                    s.close();
                    NemesisTcpFaultProperties.awaitFinAcked(ctx, s, BOUND_NS);
                    if (s.connection().finAcked()) {
                        doneNs[0] = ctx.nowNs();
                    }
                } else {
                    NemesisTcpFaultProperties.readPattern(ctx, s, 0, r, res);
                    if (res.eofNs > 0) {
                        doneNs[0] = ctx.nowNs();
                    }
                    s.close();
                }
            } catch (TcpSocket.ConnectionClosedException e) {
                closedBy[0] = e.getMessage();
            } finally {
                inj.done = true;
            }
            s.awaitClosed(RUN_NS - 5 * S);
        });
        b.run(RUN_NS);
        StreamMeter m = b.peer().tcpSink(SINK_PORT);
        TcpConnection c = sock[0] == null ? null : sock[0].connection();
        Supplier<String> why = () -> "\nfuzz " + (nemesisSends ? "nemesis -> peer" : "peer -> nemesis") + ", " + n
                + " bytes, seed " + seed + ", injected " + inj.injected + " (structured " + inj.structured
                + ", raw mutants " + inj.rawMutants + ", garbage " + inj.garbageFrames + ", exact RSTs "
                + inj.exactRsts + "), done at " + doneNs[0] / 1e9 + " s, closed by " + closedBy[0] + ", got "
                + res.got + " (mismatch at " + res.mismatchAt + ")" + b.figures(sock);
        assertTrue(b.domainTrouble().isEmpty(), () -> "a domain crashed: " + b.domainTrouble() + why.get());
        assertTrue(c != null, () -> "no connection" + why.get());
        // Byte-exact, whatever happened.
        if (nemesisSends) {
            assertTrue(m.patternErrors() == 0 && m.bytesTotal() <= n, () -> "the peer got a wrong stream: "
                    + m.bytesTotal() + " bytes, " + m.patternErrors() + " pattern errors" + why.get());
        } else {
            assertTrue(res.mismatchAt < 0 && res.got <= n, () -> "a wrong byte delivered" + why.get());
        }
        TcpCounters k = c.counters();
        assertTrue(k.get(TcpCounters.Event.SEGS_RECEIVED)
                        == k.get(TcpCounters.Event.SEGS_PROCESSED) + k.drops().total(),
                () -> "every segment accounted for" + why.get());
        boolean complete = doneNs[0] > 0 && doneNs[0] <= BOUND_NS
                && (nemesisSends ? m.bytesTotal() == n && (Long) m.figures().get("fins") == 1L : res.got == n);
        // A reset is ours if one of our RSTs carried the sequence number the connection had reached.
        boolean reset = !complete && c.state() == TcpState.CLOSED && c.closeReason() == CloseReason.RESET
                && inj.rstSeqs.contains(c.rcvNxt());
        assertTrue(complete || reset, () -> "neither complete within the bound nor reset by an injected RST (RSTs at "
                + inj.rstSeqs.stream().map(x -> Integer.toUnsignedString(x)).toList() + ", RCV.NXT "
                + Integer.toUnsignedString(c.rcvNxt()) + ")" + why.get());
        return new Outcome(complete, reset, inj.injected, inj.structured, inj.rawMutants, inj.garbageFrames, k,
                sock[0].framesDropped());
    }

    // ==========================================================================================
    // The property
    // ==========================================================================================

    private final List<Outcome> outcomes = new ArrayList<>();

    @BeforeProperty
    void reset() {
        outcomes.clear();
    }

    /** Over the tries: most transfers completed, and the injections reached every layer. */
    @AfterProperty
    void theFuzzingBit() {
        if (outcomes.isEmpty()) {
            return;
        }
        int complete = 0;
        int resets = 0;
        long injected = 0;
        long structured = 0;
        long raw = 0;
        long garbage = 0;
        long dropped = 0;
        long challenges = 0;
        long outOfWindow = 0;
        long paws = 0;
        long badOffsetOrSum = 0;
        for (Outcome o : outcomes) {
            complete += o.complete() ? 1 : 0;
            resets += o.reset() ? 1 : 0;
            injected += o.injected();
            structured += o.structured();
            raw += o.rawMutants();
            garbage += o.garbage();
            dropped += o.framesDropped();
            TcpCounters k = o.counters();
            challenges += k.get(TcpCounters.Event.CHALLENGE_ACKS) + k.get(TcpCounters.Event.CHALLENGE_ACKS_SUPPRESSED);
            outOfWindow += k.get(TcpCounters.Drop.OUT_OF_WINDOW);
            paws += k.get(TcpCounters.Drop.PAWS);
        }
        String s = outcomes.size() + " runs: " + complete + " complete, " + resets + " reset by an injected RST; "
                + injected + " frames injected (" + structured + " valid segments, " + raw + " damaged real ones, "
                + garbage + " garbage); at the sockets " + dropped + " frames failed the IP/TCP checks; TCP: "
                + challenges + " challenge ACKs, " + outOfWindow + " out of window, " + paws + " PAWS drops";
        System.out.println("NemesisTcpFuzzTest: " + s); 
        assertTrue(complete >= outcomes.size() * 8 / 10, "most runs complete: " + s);
        assertTrue(structured > 0 && raw > 0 && garbage > 0 && dropped > 0 && challenges > 0 && outOfWindow > 0,
                "the injections reached every layer: " + s);
    }

    @Provide
    Arbitrary<Long> sizes() {
        return Arbitraries.longs().between(1, 128 * 1024).withDistribution(RandomDistribution.uniform());
    }

    @Provide
    Arbitrary<String> machines() {
        return Arbitraries.of(NemesisTcpFaultProperties.MACHINES);
    }

    @Property(tries = 3000, shrinking = ShrinkingMode.OFF)
    void injectedSegmentsNeverCorruptTheStream(@ForAll long seed, @ForAll("machines") String machine,
                                               @ForAll boolean nemesisSends, @ForAll("sizes") long n) {
        outcomes.add(run(machine, seed, nemesisSends, n));
    }
}

package nemesis.inet.peer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Supplier;
import nemesis.atropos.Atropos;
import nemesis.atropos.Qos;
import nemesis.drivers.DriverCounters;
import nemesis.drivers.sim.End;
import nemesis.drivers.sim.Faults;
import nemesis.drivers.sim.LinkConfig;
import nemesis.drivers.sim.LinkEvent;
import nemesis.inet.InetMod;
import nemesis.inet.StreamMeter;
import nemesis.inet.StreamPattern;
import nemesis.inet.TcpServerSocket;
import nemesis.inet.TcpSocket;
import nemesis.inet.host.HostTcpSocket;
import nemesis.inet.tcp.CloseReason;
import nemesis.inet.tcp.TcpState;
import nemesis.kernel.Domain;
import nemesis.kernel.DomainContext;
import nemesis.kernel.EventCount;
import nemesis.kernel.Kernel;
import nemesis.kernel.MachineProfile;
import nemesis.kernel.Program;
import nemesis.kernel.VirtualClock;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.RandomDistribution;
import net.jqwik.api.ShrinkingMode;
import net.jqwik.api.Tuple;
import net.jqwik.api.lifecycle.AfterProperty;
import net.jqwik.api.lifecycle.BeforeProperty;

/**
 * Byte-exact TCP transfers <b>through the Nemesis shell</b> — a domain's {@link TcpSocket} (its
 * receiver, timer and application threads), its I/O channels, the network driver domain and the
 * flow manager — over a simulated wire that loses 5%, duplicates 2%, reorders 5% and corrupts 1%
 * of the frames in each direction, all at once, against the simulated peer's conventional TCP:
 * <ul>
 *   <li>(a) a Nemesis domain writes N bytes of {@link StreamPattern} to the peer's
 *       {@code tcp_sink}, which must count all N, verified, and the FIN;</li>
 *   <li>(b) the peer's {@code tcp_send} writes N bytes to a Nemesis domain that accepts, checks
 *       every byte against the pattern at its offset and must see EOF after exactly N;</li>
 *   <li>(c) both at once on one connection: the Nemesis domain connects to a service the test
 *       runs on the peer's stack, one thread writes N bytes while another reads the peer's M
 *       bytes (the pattern from another base offset, so the two streams differ), each side
 *       half-closes after its data and both must see the other's stream whole, then EOF.</li>
 * </ul>
 * Each on the {@code p200-de4x5} machine (4.4BSD TCP: no window scaling, timestamps or SACK,
 * 8 KiB buffers, an initial window of one segment) and on {@code ideal} (every modern option),
 * the peer being a modern TCP (what is used is what both offer). The seed drives the link's fault
 * streams, the kernel's and the test's own choices (write and read sizes): each try is
 * deterministic, and a failure names its seed (jqwik prints it; the message has it too).
 *
 * <h2>The bound</h2>
 * Each transfer must be complete — every byte delivered and verified, and the FIN acknowledged,
 * as the Nemesis domain sees it — within {@link #BOUND_NS} = 600 s of emulated time from the
 * start; a stalled connection never is. Why 600 s: a transfer here is at most 256 KiB, 180 full
 * segments. With ~6% of the frames lost each way (loss + corruption) a loss the ACK clock cannot
 * repair costs an RTO: 1 s at least (RTO min), then 2, 4, 8, 16, 32, 60, 60 … s while the
 * retransmissions or their ACKs are lost too, and Karn's algorithm keeps the backed-off RTO
 * until a new segment is timed; 4.4BSD's 8 KiB window (5 segments) often cannot bring three
 * duplicate ACKs, so there most losses cost an RTO. ARP (3 requests a second apart, then held
 * down 20 s) may fail and cost ~25 s more. Measured over 7,500 tries per machine (sizes uniform
 * in three bands up to 256 KiB; all three cases): p200-de4x5 median 1.2 s, p99 19 s, p99.9 41 s,
 * worst 191 s (the peer sending: 8 RTOs in a row, the last ones 60 s apart); ideal median 1.0 s,
 * p99 14 s, p99.9 32 s, worst 66 s (a further 12,000 per machine: worst 70 s and 66 s). Reaching
 * 600 s takes seven more 60 s backoffs in a row on top of the worst seen (each a further ~12%
 * chance: a retransmission or its ACK lost), about once in 10^10 tries — and a chain that long
 * gives up first (12 retransmissions, ~7 minutes: the connection times out, which fails the try
 * too) — while a stall fails every time. The kernel runs {@link #RUN_NS}: the bound, then 300 s
 * for closing (TIME-WAIT is 60 s; a FIN may need a few retransmissions), which is checked too.
 *
 * <h2>Tries</h2>
 * 1,500 per property, a mix of sizes and both machines: about 8 s on two cores.
 *
 * <h2>Not vacuous</h2>
 * Per property, over its tries, the link must have corrupted frames in both directions and the
 * receivers must have dropped damaged frames at both ends (Nemesis: the driver's IP header checks
 * and the socket's TCP checks; the peer: its IP and TCP checks); losses, duplicates and
 * reordering must have happened too (the totals are printed). Per try, those drops never exceed
 * the frames the link corrupted towards that end: a frame sent already damaged would show.
 */
class NemesisTcpFaultProperties {
    static final long US = 1_000L;
    static final long MS = 1_000_000L;
    static final long S = 1_000_000_000L;
    static final int HOST_IP = SimNetwork.Config.HOST.ip();
    static final int PEER_IP = SimNetwork.Config.PEER.ip();
    static final Faults FAULTS = new Faults(0.05, 0.02, 0.05, 0.01);
    static final Qos CPU = Qos.of(10 * MS, 2 * MS, true);
    static final Qos TX = Qos.of(10 * MS, 2 * MS, true);
    /** Emulated time from the start for a transfer to be complete (see the class comment). */
    static final long BOUND_NS = 600 * S;
    /** How long the kernel runs: the bound, then for closing TIME-WAIT (2 MSL = 60 s) and a few retransmissions of a FIN. */
    static final long RUN_NS = BOUND_NS + 300 * S;
    static final long MAX_SIZE = 256 * 1024;
    static final int SINK_PORT = 5001;
    static final int SEND_PORT = 6000;
    static final int DUPLEX_PORT = 7000;
    /** The peer's stream in case (c) is the pattern from this offset on (odd: not aligned to ours). */
    static final long PEER_BASE = 0x1234_5677L;
    static final String[] MACHINES = {"p200-de4x5", "ideal"};

    // ==========================================================================================
    // The test bed: a kernel with the network, seeded
    // ==========================================================================================

    /** A kernel with the simulated network and the peer, everything seeded by {@code seed}. */
    static final class Bed {
        final long seed;
        final String machine;
        final Kernel kernel;
        final SimNetwork net;

        Bed(String machine, long seed, Faults faults, List<PeerService> services) {
            this.seed = seed;
            this.machine = machine;
            this.kernel = new Kernel(new VirtualClock(), MachineProfile.load(machine), Atropos.DEFAULT_CAP_PPB, seed);
            LinkConfig link = LinkConfig.ethernet(100_000_000L, 5 * US).withFaults(faults);
            this.net = SimNetwork.install(kernel, SimNetwork.Config.forMachine(kernel.machine(), link), seed, 0,
                    services);
        }

        Domain client(String name, long startNs, Program p) {
            return kernel.createDomain(name, "test", CPU, p, startNs);
        }

        void run(long ns) {
            kernel.run(ns, 0);
        }

        SimPeer peer() {
            return net.peer();
        }

        /** Every domain RUNNING or EXITED, without an error; else what went wrong. */
        String domainTrouble() {
            StringBuilder sb = new StringBuilder();
            for (Domain d : kernel.domains()) {
                boolean ok = (d.status() == Domain.Status.RUNNING || d.status() == Domain.Status.EXITED)
                        && d.error() == null;
                if (!ok) {
                    sb.append(d.name()).append(' ').append(d.status()).append(": ").append(d.error()).append("; ");
                }
            }
            return sb.toString();
        }

        /**
         * Frames the Nemesis host dropped as damaged: the driver's IP header checks (the checksum,
         * and the lengths and version a flip there may break first) and the sockets' TCP checks.
         */
        long nemesisChecksumDrops(List<TcpSocket> sockets) {
            DriverCounters c = net.driver().counters();
            long n = c.get(DriverCounters.Reason.RX_IP_BAD_CHECKSUM) + c.get(DriverCounters.Reason.RX_IP_TRUNCATED)
                    + c.get(DriverCounters.Reason.RX_IP_BAD_VERSION) + c.get(DriverCounters.Reason.RX_IP_BAD_HEADER_LENGTH)
                    + c.get(DriverCounters.Reason.RX_IP_BAD_TOTAL_LENGTH);
            for (TcpSocket s : sockets) {
                if (s != null) {
                    n += s.framesDropped();
                }
            }
            return n;
        }

        /** The same at the peer: its IP input's header checks and its TCP input's. */
        long peerChecksumDrops() {
            Map<String, Long> c = peer().stack().counters();
            long n = 0;
            for (String k : List.of("drop_ip_bad_checksum", "drop_ip_truncated", "drop_ip_bad_version",
                    "drop_ip_bad_header_length", "drop_ip_bad_total_length", "drop_tcp_truncated",
                    "drop_tcp_bad_offset", "drop_tcp_bad_checksum")) {
                n += c.getOrDefault(k, 0L);
            }
            return n;
        }

        /** Everything worth reading when a try fails. */
        String figures(TcpSocket... sockets) {
            StringBuilder sb = new StringBuilder();
            sb.append("\n  machine ").append(machine).append(", seed ").append(seed)
                    .append(", now ").append(kernel.clock().nowNs() / 1e9).append(" s");
            sb.append("\n  link A->B (host to peer): ").append(net.link().counters(End.A));
            sb.append("\n  link B->A (peer to host): ").append(net.link().counters(End.B));
            sb.append("\n  driver: ").append(net.driver().counters().nonZero());
            for (TcpSocket s : sockets) {
                if (s != null) {
                    sb.append("\n  nemesis ").append(s.connection()).append(" frames_dropped=").append(s.framesDropped())
                            .append(" segments_out_lost=").append(s.segmentsOutLost()).append(" written=")
                            .append(s.bytesWritten()).append(" read=").append(s.bytesRead())
                            .append("\n    ").append(s.connection().counters().nonZero());
                }
            }
            sb.append("\n  peer: ").append(peer().report());
            for (Domain d : kernel.domains()) {
                sb.append("\n  domain ").append(d.name()).append(' ').append(d.status())
                        .append(d.error() == null ? "" : " " + d.error());
            }
            return sb.toString();
        }
    }

    /**
     * The peer's address for a domain, asking again while ARP fails under the faults (3 requests,
     * then 20 s held down at the flow manager): what an application does with "unreachable".
     */
    static void resolvePeer(InetMod inet, DomainContext ctx, long untilNs, long[] arpFailures) {
        while (inet.macFor(PEER_IP) < 0) {
            arpFailures[0]++;
            if (ctx.nowNs() >= untilNs) {
                throw new IllegalStateException("peer unreachable until " + untilNs);
            }
            ctx.sleepUntil(ctx.nowNs() + 1 * S);
        }
    }

    /** Waits (polling every 5 ms) until our FIN is acknowledged or the connection is closed. */
    static void awaitFinAcked(DomainContext ctx, TcpSocket s, long untilNs) {
        while (!s.connection().finAcked() && s.state() != TcpState.CLOSED && ctx.nowNs() < untilNs) {
            ctx.sleepUntil(Math.min(untilNs, ctx.nowNs() + 5 * MS));
        }
    }

    /** Writes {@code total} bytes of the pattern from {@code base} in chunks of random sizes. */
    static void writePattern(TcpSocket s, long total, long base, Random r) {
        byte[] chunk = new byte[20_000];
        long off = 0;
        while (off < total) {
            int n = (int) Math.min(1 + r.nextInt(r.nextBoolean() ? 200 : chunk.length), total - off);
            StreamPattern.fill(chunk, 0, n, base + off);
            s.writeFully(chunk, 0, n);
            off += n;
        }
    }

    /** What one reader saw: bytes, the first mismatch, EOF. */
    static final class ReadResult {
        long got;
        long mismatchAt = -1;
        long eofNs = -1;
    }

    /** Reads until EOF in buffers of random sizes, checking every byte against the pattern from {@code base}. */
    static void readPattern(DomainContext ctx, TcpSocket s, long base, Random r, ReadResult res) {
        byte[] buf = new byte[16_384];
        while (true) {
            int want = 1 + r.nextInt(r.nextInt(4) == 0 ? 64 : buf.length);
            int n = s.read(buf, 0, want, Kernel.NEVER);
            if (n < 0) {
                res.eofNs = ctx.nowNs();
                return;
            }
            int bad = StreamPattern.firstMismatch(buf, 0, n, base + res.got);
            if (bad >= 0) {
                res.mismatchAt = res.got + bad;
                return;
            }
            res.got += n;
        }
    }

    // ==========================================================================================
    // The three cases
    // ==========================================================================================

    /** The outcome of one try, for the property's totals. */
    record Outcome(long doneNs, long corruptToHost, long corruptToPeer, long nemesisDrops, long peerDrops,
                   long lost, long duplicated, long reordered, long frames) {
    }

    /** {@code -Dtcpfault.verbose=true}: each try's outcome on the console (to measure the distribution of times). */
    static final boolean VERBOSE = Boolean.getBoolean("tcpfault.verbose");

    static Outcome outcome(Bed b, long doneNs, long nemesisDrops) {
        var a = b.net.link().counters(End.A);
        var p = b.net.link().counters(End.B);
        return new Outcome(doneNs, p.corrupted(), a.corrupted(), nemesisDrops, b.peerChecksumDrops(),
                a.lost() + p.lost(),
                a.count(LinkEvent.DUPLICATE) + p.count(LinkEvent.DUPLICATE),
                a.count(LinkEvent.REORDER) + p.count(LinkEvent.REORDER),
                a.frames() + p.frames());
    }

    /**
     * Per try: the receivers' checks dropped no more frames than the link corrupted towards them
     * (a frame sent already damaged — its payload changed after its checksum was computed — shows
     * here).
     */
    static void checkDropsPlausible(Outcome o, Supplier<String> why) {
        assertTrue(o.nemesisDrops() <= o.corruptToHost(), () -> "more checksum drops at the host ("
                + o.nemesisDrops() + ") than frames corrupted towards it (" + o.corruptToHost() + ")" + why.get());
        assertTrue(o.peerDrops() <= o.corruptToPeer(), () -> "more checksum drops at the peer (" + o.peerDrops()
                + ") than frames corrupted towards it (" + o.corruptToPeer() + ")" + why.get());
    }

    /** (a) A Nemesis domain sends {@code n} bytes to the peer's tcp_sink. */
    static Outcome toPeer(String machine, long seed, long n) {
        Bed b = new Bed(machine, seed, FAULTS, List.of(new PeerService.TcpSink(SINK_PORT, true)));
        Random r = new Random(seed ^ 0xA11CEL);
        TcpSocket[] sock = new TcpSocket[1];
        long[] doneNs = {-1};
        long[] arpFailures = {0};
        boolean[] closed = {false};
        b.client("snd", 1 * MS, ctx -> {
            InetMod inet = InetMod.attach(ctx);
            long deadline = BOUND_NS;
            resolvePeer(inet, ctx, deadline, arpFailures);
            TcpSocket s = inet.connectTcp(PEER_IP, SINK_PORT, TX, deadline);
            sock[0] = s;
            writePattern(s, n, 0, r);
            s.close();
            awaitFinAcked(ctx, s, deadline);
            if (s.connection().finAcked()) {
                doneNs[0] = ctx.nowNs();
            }
            closed[0] = s.awaitClosed(RUN_NS - 5 * S);
        });
        b.run(RUN_NS);
        StreamMeter m = b.peer().tcpSink(SINK_PORT);
        Supplier<String> why = () -> "\n(a) nemesis -> peer tcp_sink, " + n + " bytes, seed " + seed + ", arp failures "
                + arpFailures[0] + ", done at " + doneNs[0] / 1e9 + " s" + b.figures(sock);
        assertTrue(b.domainTrouble().isEmpty(), () -> "a domain crashed: " + b.domainTrouble() + why.get());
        assertTrue(doneNs[0] > 0 && doneNs[0] <= BOUND_NS, () -> "not complete within the bound" + why.get());
        assertTrue(m.bytesTotal() == n && m.patternErrors() == 0 && m.verified(),
                () -> "the sink got " + m.bytesTotal() + " bytes, " + m.patternErrors() + " pattern errors" + why.get());
        assertTrue(m.connections() == 1 && ((Long) m.figures().get("fins")) == 1L, () -> "one connection, one FIN" + why.get());
        assertTrue(closed[0] && sock[0].state() == TcpState.CLOSED
                        && sock[0].connection().closeReason() == CloseReason.NORMAL,
                () -> "closed normally after TIME-WAIT" + why.get());
        Outcome o = outcome(b, doneNs[0], b.nemesisChecksumDrops(List.of(sock[0])));
        checkDropsPlausible(o, why);
        return o;
    }

    /** (b) The peer's tcp_send sends {@code n} bytes to a Nemesis domain. */
    static Outcome fromPeer(String machine, long seed, long n) {
        Bed b = new Bed(machine, seed, FAULTS,
                List.of(new PeerService.TcpSend(HOST_IP, SEND_PORT, n, 50 * MS, true)));
        Random r = new Random(seed ^ 0xB0BL);
        TcpSocket[] sock = new TcpSocket[1];
        ReadResult res = new ReadResult();
        boolean[] closed = {false};
        b.client("rcv", 1 * MS, ctx -> {
            InetMod inet = InetMod.attach(ctx);
            TcpServerSocket l = inet.listenTcp(SEND_PORT, TX);
            TcpSocket s = l.accept(BOUND_NS);
            if (s == null) {
                return;
            }
            sock[0] = s;
            l.close();
            readPattern(ctx, s, 0, r, res);
            s.close();
            closed[0] = s.awaitClosed(RUN_NS - 5 * S);
        });
        b.run(RUN_NS);
        Supplier<String> why = () -> "\n(b) peer tcp_send -> nemesis, " + n + " bytes, seed " + seed + ", got "
                + res.got + ", mismatch at " + res.mismatchAt + ", EOF at " + res.eofNs / 1e9 + " s" + b.figures(sock);
        assertTrue(b.domainTrouble().isEmpty(), () -> "a domain crashed: " + b.domainTrouble() + why.get());
        assertTrue(res.mismatchAt < 0, () -> "a wrong byte delivered" + why.get());
        assertTrue(res.eofNs > 0 && res.eofNs <= BOUND_NS && res.got == n,
                () -> "not all " + n + " bytes then EOF within the bound" + why.get());
        @SuppressWarnings("unchecked")
        Map<String, Object> send = (Map<String, Object>) b.peer().report().get("tcp_send:" + SEND_PORT);
        assertTrue(Long.valueOf(n).equals(send.get("bytes_acked")), () -> "the peer's data all acknowledged" + why.get());
        assertTrue(closed[0] && sock[0].connection().closeReason() == CloseReason.NORMAL,
                () -> "closed normally" + why.get());
        Outcome o = outcome(b, res.eofNs, b.nemesisChecksumDrops(List.of(sock[0])));
        checkDropsPlausible(o, why);
        return o;
    }

    /**
     * The peer's side of case (c): writes {@code total} bytes of the pattern from
     * {@link #PEER_BASE}, half-closes, and meters what it reads.
     */
    static final class DuplexPeer implements HostTcpSocket.Events {
        final long total;
        final StreamMeter meter = new StreamMeter(true, 0);
        final MemorySegment buf = Arena.ofAuto().allocate(16 * 1024);
        long written;
        long offset;
        boolean fin;
        CloseReason closed = CloseReason.NONE;
        HostTcpSocket socket;

        DuplexPeer(long total) {
            this.total = total;
        }

        @Override
        public void established(HostTcpSocket s, long nowNs) {
            socket = s;
            writable(s, nowNs);
        }

        @Override
        public void writable(HostTcpSocket s, long nowNs) {
            while (written < total) {
                int n = (int) Math.min(buf.byteSize(), Math.min(total - written, s.sendSpace()));
                if (n <= 0) {
                    return;
                }
                StreamPattern.fill(buf, 0, n, PEER_BASE + written);
                int took = s.write(buf, 0, n, nowNs);
                written += took;
                if (took < n) {
                    return;
                }
            }
            if (written == total && !s.finQueued()) {
                s.shutdownOutput(nowNs);
            }
        }

        @Override
        public void readable(HostTcpSocket s, long nowNs) {
            int n;
            while ((n = s.read(buf, 0, (int) buf.byteSize(), nowNs)) > 0) {
                meter.record(buf, 0, n, offset, nowNs);
                offset += n;
            }
        }

        @Override
        public void finReceived(HostTcpSocket s, long nowNs) {
            readable(s, nowNs);
            fin = true;
            meter.fin();
        }

        @Override
        public void closed(HostTcpSocket s, CloseReason why, long nowNs) {
            closed = why;
        }
    }

    /** (c) Both ways at once on one connection: the Nemesis domain sends {@code n}, the peer {@code m}. */
    static Outcome duplex(String machine, long seed, long n, long m) {
        Bed b = new Bed(machine, seed, FAULTS, List.of());
        DuplexPeer peer = new DuplexPeer(m);
        b.peer().stack().listenTcp(DUPLEX_PORT, (s, now) -> peer);
        Random r = new Random(seed ^ 0xD0D0L);
        Random rr = new Random(seed ^ 0xEEEEL);
        TcpSocket[] sock = new TcpSocket[1];
        ReadResult res = new ReadResult();
        long[] arpFailures = {0};
        long[] writtenNs = {-1};
        long[] doneNs = {-1};
        boolean[] closed = {false};
        b.client("duplex", 1 * MS, ctx -> {
            InetMod inet = InetMod.attach(ctx);
            resolvePeer(inet, ctx, BOUND_NS, arpFailures);
            TcpSocket s = inet.connectTcp(PEER_IP, DUPLEX_PORT, TX, BOUND_NS);
            sock[0] = s;
            EventCount readerDone = ctx.newEventCount("reader-done");
            ctx.spawn("reader", () -> {
                readPattern(ctx, s, PEER_BASE, rr, res);
                readerDone.advance(1);
            });
            writePattern(s, n, 0, r);
            s.shutdownOutput();
            awaitFinAcked(ctx, s, BOUND_NS);
            if (s.connection().finAcked()) {
                writtenNs[0] = ctx.nowNs();
            }
            readerDone.await(1, BOUND_NS);
            if (writtenNs[0] > 0 && res.eofNs > 0) {
                doneNs[0] = ctx.nowNs();
            }
            s.close();
            closed[0] = s.awaitClosed(RUN_NS - 5 * S);
        });
        b.run(RUN_NS);
        Supplier<String> why = () -> "\n(c) both ways, nemesis " + n + " bytes, peer " + m + " bytes, seed " + seed
                + ", arp failures " + arpFailures[0] + ", nemesis got " + res.got + " (mismatch at " + res.mismatchAt + ", EOF at " + res.eofNs / 1e9
                + " s), our FIN acked at " + writtenNs[0] / 1e9 + " s; peer got " + peer.meter.bytesTotal()
                + " (pattern errors " + peer.meter.patternErrors() + ", fin " + peer.fin + ", closed " + peer.closed
                + ", wrote " + peer.written + ")" + (peer.socket == null ? "" : "\n  peer conn " + peer.socket.connection()
                + " " + peer.socket.connection().counters().nonZero()) + b.figures(sock);
        assertTrue(b.domainTrouble().isEmpty(), () -> "a domain crashed: " + b.domainTrouble() + why.get());
        assertTrue(res.mismatchAt < 0, () -> "a wrong byte delivered to nemesis" + why.get());
        assertTrue(peer.meter.patternErrors() == 0, () -> "a wrong byte delivered to the peer" + why.get());
        assertTrue(doneNs[0] > 0 && doneNs[0] <= BOUND_NS, () -> "not complete within the bound" + why.get());
        assertTrue(res.got == m && peer.meter.bytesTotal() == n && peer.fin, () -> "both streams whole" + why.get());
        assertTrue(closed[0] && sock[0].connection().closeReason() == CloseReason.NORMAL
                        && peer.closed == CloseReason.NORMAL, () -> "both ends closed normally" + why.get());
        Outcome o = outcome(b, doneNs[0], b.nemesisChecksumDrops(List.of(sock[0])));
        checkDropsPlausible(o, why);
        return o;
    }

    // ==========================================================================================
    // The properties
    // ==========================================================================================

    private final List<Outcome> outcomes = new ArrayList<>();

    @BeforeProperty
    void reset() {
        outcomes.clear();
    }

    /** Over a property's tries: every fault happened, and corrupted frames were caught at both ends. */
    @AfterProperty
    void faultsReallyHappened() {
        long toHost = 0;
        long toPeer = 0;
        long hostDrops = 0;
        long peerDrops = 0;
        long lost = 0;
        long dup = 0;
        long reord = 0;
        long worstNs = 0;
        for (Outcome o : outcomes) {
            toHost += o.corruptToHost();
            toPeer += o.corruptToPeer();
            hostDrops += o.nemesisDrops();
            peerDrops += o.peerDrops();
            lost += o.lost();
            dup += o.duplicated();
            reord += o.reordered();
            worstNs = Math.max(worstNs, o.doneNs());
        }
        String s = outcomes.size() + " tries: worst " + worstNs / 1e9 + " s emulated; corrupted to host " + toHost
                + " (caught " + hostDrops + "), to peer " + toPeer + " (caught " + peerDrops + "); lost " + lost
                + ", duplicated " + dup + ", reordered " + reord;
        if (outcomes.isEmpty()) {
            return; // an example, not a property
        }
        System.out.println("NemesisTcpFaultProperties: " + s);
        assertTrue(toHost > 0 && toPeer > 0 && hostDrops > 0 && peerDrops > 0 && lost > 0 && dup > 0 && reord > 0,
                "the faults did not all happen: " + s);
    }

    /** Sizes from a byte to 256 KiB, spread over the orders of magnitude. */
    @Provide
    Arbitrary<Long> sizes() {
        return Arbitraries.frequencyOf(
                Tuple.of(15, Arbitraries.longs().between(1, 100).withDistribution(RandomDistribution.uniform())),
                Tuple.of(25, Arbitraries.longs().between(101, 20_000).withDistribution(RandomDistribution.uniform())),
                Tuple.of(60, Arbitraries.longs().between(20_001, MAX_SIZE).withDistribution(RandomDistribution.uniform())));
    }

    @Provide
    Arbitrary<String> machines() {
        return Arbitraries.of(MACHINES);
    }

    /** The same seed, the same run: what a failing seed reproduces is the failure. */
    @Example
    void aSeedRunsTheSameEveryTime() {
        for (String machine : MACHINES) {
            assertEquals(toPeer(machine, 42, 200_000), toPeer(machine, 42, 200_000), machine);
            assertEquals(fromPeer(machine, 43, 200_000), fromPeer(machine, 43, 200_000), machine);
            assertEquals(duplex(machine, 44, 100_000, 150_000), duplex(machine, 44, 100_000, 150_000), machine);
        }
    }

    @Property(tries = 1500, shrinking = ShrinkingMode.OFF)
    void nemesisSendsToThePeersSink(@ForAll long seed, @ForAll("machines") String machine,
                                    @ForAll("sizes") long n) {
        Outcome o = toPeer(machine, seed, n);
        outcomes.add(o);
        if (VERBOSE) {
            System.out.println(machine + " seed " + seed + " n " + n + " -> " + o);
        }
    }

    @Property(tries = 1500, shrinking = ShrinkingMode.OFF)
    void thePeerSendsToANemesisDomain(@ForAll long seed, @ForAll("machines") String machine,
                                      @ForAll("sizes") long n) {
        Outcome o = fromPeer(machine, seed, n);
        outcomes.add(o);
        if (VERBOSE) {
            System.out.println(machine + " seed " + seed + " n " + n + " -> " + o);
        }
    }

    @Property(tries = 1500, shrinking = ShrinkingMode.OFF)
    void bothWaysAtOnceOnOneConnection(@ForAll long seed, @ForAll("machines") String machine,
                                       @ForAll("sizes") long n, @ForAll("sizes") long m) {
        Outcome o = duplex(machine, seed, n, m);
        outcomes.add(o);
        if (VERBOSE) {
            System.out.println(machine + " seed " + seed + " n " + n + " m " + m + " -> " + o);
        }
    }
}

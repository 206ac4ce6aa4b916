package nemesis.inet.peer;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;
import nemesis.drivers.sim.End;
import nemesis.drivers.sim.EthernetLink;
import nemesis.drivers.sim.Frame;
import nemesis.drivers.sim.Timeline;
import nemesis.inet.HostConfig;
import nemesis.inet.Pattern;
import nemesis.inet.SinkMeter;
import nemesis.inet.StreamMeter;
import nemesis.inet.StreamPattern;
import nemesis.inet.host.HostStack;
import nemesis.inet.host.HostTcpSocket;
import nemesis.inet.tcp.CloseReason;
import nemesis.kernel.Kernel;

/**
 * The simulated peer: a conventional host at one end of the {@link EthernetLink}, outside Nemesis
 * scheduling, running a {@link HostStack} and the {@link PeerService}s a scenario declares. Like
 * the link it is a device: it acts in kernel context, when a frame arrives (the link's receiver
 * callback) and at alarms it asks the {@link Timeline} for (its stack's timers, its senders'
 * pacing), and never blocks.
 *
 * <p>Each frame is processed when it arrives, in no time, unless the peer has a
 * {@link PeerProfile} with a processing cost (or {@link #processingDelay} is set): then frames
 * queue for the peer's one CPU and each reaches the stack when its processing is done. The
 * profile also gives the peer's TCP its configuration (window, delayed ACKs, options).
 *
 * <p>Time: the peer reads the {@code clock} it was given (the kernel's) whenever it acts, so
 * everything it sends is at or after the link's latest event, as the link requires.
 */
public final class SimPeer {
    /** The CPU time the peer spends on a frame before its stack has it. */
    @FunctionalInterface
    public interface ProcessingDelay {
        long ns(int frameLength);
    }

    /** A service as it runs: its name and its figures for the results. */
    public interface Service {
        String name();

        Map<String, Object> figures();
    }

    private static final long NEVER = Long.MAX_VALUE;
    /** Frames waiting for the peer's CPU when a processing delay is set. */
    private static final int BACKLOG = 512;

    private final String name;
    private final HostConfig config;
    private final EthernetLink link;
    private final End end;
    private final Timeline timeline;
    private final LongSupplier clock;
    private final long measureFromNs;
    private final HostStack stack;
    private final List<Service> services = new ArrayList<>();
    private final org.agrona.collections.Int2ObjectHashMap<PingService> pingsById = new org.agrona.collections.Int2ObjectHashMap<>();
    private final PeerProfile profile;
    /** TCP sinks that play another receiver than the peer's profile, by port. */
    private final org.agrona.collections.Int2ObjectHashMap<PeerProfile> portProfiles = new org.agrona.collections.Int2ObjectHashMap<>();
    private final Runnable onTimer = this::timer;
    private long armedNs = NEVER;

    private ProcessingDelay delay;
    private final ArrayDeque<Frame> backlog = new ArrayDeque<>();
    private final Runnable onProcessed = this::processed;
    private long cpuFreeNs;

    private long framesReceived;
    private long txNoFrame;
    private long backlogDrops;

    /**
     * @param measureFromNs the end of the warmup: sinks count only what arrives from then on
     * @param clock         the time now (the kernel's clock)
     */
    public SimPeer(String name, HostConfig config, EthernetLink link, End end, Timeline timeline, LongSupplier clock,
                   long measureFromNs, List<PeerService> declared) {
        this(name, config, link, end, timeline, clock, measureFromNs, declared, PeerProfile.IDEAL);
    }

    /**
     * @param profile the peer's TCP and CPU ({@link PeerProfile#IDEAL}: a modern TCP, no processing time)
     */
    public SimPeer(String name, HostConfig config, EthernetLink link, End end, Timeline timeline, LongSupplier clock,
                   long measureFromNs, List<PeerService> declared, PeerProfile profile) {
        this.profile = profile;
        this.name = name;
        this.config = config;
        this.link = link;
        this.end = end;
        this.timeline = timeline;
        this.clock = clock;
        this.measureFromNs = measureFromNs;
        this.stack = new HostStack(config, this::transmit);
        stack.tcpConfig(profile.tcp());
        if (profile.hasProcessingDelay()) {
            this.delay = profile::processingNs;
        }
        for (PeerService s : declared) {
            if (s instanceof PeerService.TcpSink k && k.profile() != null) {
                portProfiles.put(k.port(), k.profile());
            }
        }
        stack.onEchoReply((src, id, seq, data, off, len, now) -> {
            PingService p = pingsById.get(id);
            if (p != null) {
                p.reply(seq, data, off, len, now);
            }
        });
        for (PeerService s : declared) {
            add(s);
        }
        link.attach(end, this::arrived);
    }

    /** A peer driven by {@code kernel}'s alarms and clock. */
    public static SimPeer on(Kernel kernel, String name, HostConfig config, EthernetLink link, End end,
                             long measureFromNs, List<PeerService> declared) {
        return on(kernel, name, config, link, end, measureFromNs, declared, PeerProfile.IDEAL);
    }

    /** A peer driven by {@code kernel}'s alarms and clock, behaving as {@code profile}. */
    public static SimPeer on(Kernel kernel, String name, HostConfig config, EthernetLink link, End end,
                             long measureFromNs, List<PeerService> declared, PeerProfile profile) {
        return new SimPeer(name, config, link, end, kernel::at, () -> kernel.clock().nowNs(), measureFromNs, declared,
                profile);
    }

    private void add(PeerService s) {
        String unique = s.name();
        for (int n = 2; named(unique); n++) {
            unique = s.name() + "#" + n;
        }
        Service running = switch (s) {
            case PeerService.UdpSink k -> new SinkService(k, unique);
            case PeerService.UdpEcho e -> new EchoService(e, unique);
            case PeerService.UdpSource u -> new SourceService(u, unique);
            case PeerService.Ping p -> new PingService(p, unique, 0x5000 + pingsById.size());
            case PeerService.TcpSink k -> new TcpSinkService(k, unique);
            case PeerService.TcpSend t -> new TcpSendService(t, unique);
        };
        services.add(running);
    }

    private boolean named(String n) {
        for (Service other : services) {
            if (other.name().equals(n)) {
                return true;
            }
        }
        return false;
    }

    public String name() {
        return name;
    }

    public HostConfig config() {
        return config;
    }

    public int ip() {
        return config.ip();
    }

    public HostStack stack() {
        return stack;
    }

    public List<Service> services() {
        return Collections.unmodifiableList(services);
    }

    public PeerProfile profile() {
        return profile;
    }

    /** The meter of the {@code tcp_sink} on {@code port}, or null. */
    public StreamMeter tcpSink(int port) {
        for (Service s : services) {
            if (s instanceof TcpSinkService k && k.spec.port() == port) {
                return k.meter;
            }
        }
        return null;
    }

    /** The meter of the {@code udp_sink} on {@code port}, or null. */
    public SinkMeter sink(int port) {
        for (Service s : services) {
            if (s instanceof SinkService k && k.spec.port() == port) {
                return k.meter;
            }
        }
        return null;
    }

    /** Sets the CPU time each received frame costs the peer (null or 0: none). */
    public void processingDelay(ProcessingDelay d) {
        this.delay = d;
    }

    /**
     * Every service's figures, by service name in the order declared, then the peer's own
     * ({@code "host"}: its stack's counters and the peer's drops).
     */
    public Map<String, Object> report() {
        Map<String, Object> m = new LinkedHashMap<>();
        for (Service s : services) {
            m.put(s.name(), s.figures());
        }
        Map<String, Object> host = new LinkedHashMap<>(stack.counters());
        host.put("tx_no_frame", txNoFrame);
        host.put("rx_backlog_drops", backlogDrops);
        m.put("host", host);
        return m;
    }

    public long framesReceived() {
        return framesReceived;
    }

    // ------------------------------------------------------------------------------------------
    // Frames in and out
    // ------------------------------------------------------------------------------------------

    private void arrived(Frame f, long arrivalNs) {
        framesReceived++;
        long now = clock.getAsLong();
        long cost = cost(f);
        if (cost <= 0 && backlog.isEmpty()) {
            process(f, now);
            return;
        }
        if (backlog.size() >= BACKLOG) {
            backlogDrops++;
            f.release();
            return;
        }
        // One CPU: frames are processed in arrival order, each after the one before.
        cpuFreeNs = Math.max(cpuFreeNs, now) + Math.max(cost, 0);
        backlog.add(f);
        timeline.at(cpuFreeNs, onProcessed);
    }

    /**
     * The CPU time {@code f} costs: that of the profile of the TCP sink it is for, if that sink has
     * its own, else the peer's. One CPU either way.
     */
    private long cost(Frame f) {
        if (!portProfiles.isEmpty()) {
            PeerProfile p = portProfiles.get(tcpDstPort(f.bytes(), f.length()));
            if (p != null) {
                return p.processingNs(f.length());
            }
        }
        return delay == null ? 0 : delay.ns(f.length());
    }

    /** The TCP destination port of an Ethernet frame carrying IPv4 and TCP, else 0. */
    private static int tcpDstPort(byte[] b, int len) {
        int ip = Frame.ETHERNET_HEADER_BYTES;
        if (len < ip + 20 || (b[12] & 0xff) != 0x08 || b[13] != 0x00 || (b[ip + 9] & 0xff) != 6) {
            return 0;
        }
        int tcp = ip + (b[ip] & 0x0f) * 4;
        return len < tcp + 4 ? 0 : (b[tcp + 2] & 0xff) << 8 | (b[tcp + 3] & 0xff);
    }

    private void processed() {
        Frame f = backlog.poll();
        if (f != null) {
            process(f, clock.getAsLong());
        }
    }

    private void process(Frame f, long now) {
        try {
            stack.receive(f.segment(), 0, f.length(), now);
        } finally {
            f.release();
        }
        arm();
    }

    private void transmit(MemorySegment m, long off, int len, long nowNs) {
        Frame f = link.pool().allocate();
        if (f == null) {
            txNoFrame++;
            return;
        }
        f.copyFrom(m, off, len);
        link.send(end, f, clock.getAsLong());
    }

    // ------------------------------------------------------------------------------------------
    // The stack's timers
    // ------------------------------------------------------------------------------------------

    /** Asks for an alarm at the stack's next timer unless one is pending at or before it. */
    private void arm() {
        long t = stack.nextTimerNs();
        if (t != NEVER && t < armedNs) {
            armedNs = t;
            timeline.at(t, onTimer);
        }
    }

    private void timer() {
        // Alarms run in time order: this is the earliest we asked for (an older one may still come; harmless).
        armedNs = NEVER;
        stack.poll(clock.getAsLong());
        arm();
    }

    private long now() {
        return clock.getAsLong();
    }

    // ------------------------------------------------------------------------------------------
    // Services
    // ------------------------------------------------------------------------------------------

    private final class SinkService implements Service {
        final PeerService.UdpSink spec;
        final String name;
        final SinkMeter meter;

        SinkService(PeerService.UdpSink spec, String name) {
            this.spec = spec;
            this.name = name;
            this.meter = new SinkMeter(spec.verifyPattern(), measureFromNs);
            if (!stack.bindUdp(spec.port(), (src, sport, dport, p, off, len, now) -> meter.record(p, off, len, now))) {
                throw new IllegalArgumentException("peer " + name + ": UDP port " + spec.port() + " taken twice");
            }
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public Map<String, Object> figures() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("program", "udp_sink");
            m.put("port", spec.port());
            m.putAll(meter.figures());
            return m;
        }
    }

    private final class EchoService implements Service {
        final PeerService.UdpEcho spec;
        final String name;
        long echoed;
        long failed;

        EchoService(PeerService.UdpEcho spec, String name) {
            this.spec = spec;
            this.name = name;
            if (!stack.bindUdp(spec.port(), (src, sport, dport, p, off, len, now) -> {
                if (stack.sendUdp(dport, src, sport, p, off, len, now) == HostStack.Sent.SENT) {
                    echoed++;
                } else {
                    failed++;
                }
            })) {
                throw new IllegalArgumentException("peer " + name + ": UDP port " + spec.port() + " taken twice");
            }
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public Map<String, Object> figures() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("program", "udp_echo");
            m.put("port", spec.port());
            m.put("echoed", echoed);
            m.put("failed", failed);
            return m;
        }
    }

    private final class SourceService implements Service {
        /** After a datagram held for ARP (or refused), without a rate: the next this much later. */
        private static final long RETRY_NS = 1_000_000L;
        final PeerService.UdpSource spec;
        final String name;
        final MemorySegment payload;
        final long intervalNs;
        final Runnable onDue = this::due;
        long seq;
        long sent;
        long bytes;
        long failed;
        long nextNs;

        SourceService(PeerService.UdpSource spec, String name) {
            this.spec = spec;
            this.name = name;
            this.payload = Arena.ofAuto().allocate(Math.max(1, spec.size()), 8);
            this.intervalNs = spec.rateBps() > 0 ? Math.ceilDiv(spec.size() * 8_000_000_000L, spec.rateBps()) : 0;
            if (!stack.bindUdp(spec.localPort(), (src, sport, dport, p, off, len, now) -> { })) {
                throw new IllegalArgumentException("peer " + name + ": UDP port " + spec.localPort() + " taken twice");
            }
            nextNs = spec.startNs();
            timeline.at(nextNs, onDue);
        }

        private void due() {
            long now = now();
            if (spec.pattern()) {
                Pattern.fill(payload, 0, spec.size(), seq);
            }
            HostStack.Sent r = stack.sendUdp(spec.localPort(), spec.dstIp(), spec.dstPort(), payload, 0, spec.size(), now);
            arm();
            seq++;
            if (r == HostStack.Sent.SENT || r == HostStack.Sent.HELD) {
                sent++;
                bytes += spec.size();
            } else {
                failed++;
            }
            if (intervalNs > 0) {
                nextNs = Math.max(nextNs + intervalNs, now);
            } else if (r == HostStack.Sent.SENT) {
                nextNs = Math.max(now + 1, link.busyUntil(end)); // back to back on the wire
            } else {
                nextNs = now + RETRY_NS; // waiting for ARP, or failing: do not spin
            }
            if (spec.count() == 0 || seq < spec.count()) {
                timeline.at(nextNs, onDue);
            }
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public Map<String, Object> figures() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("program", "udp_source");
            m.put("datagrams_sent", sent);
            m.put("bytes_sent", bytes);
            m.put("failed", failed);
            return m;
        }
    }

    /** {@code tcp_sink}: accepts every connection on the port, reads everything at once, meters it. */
    private final class TcpSinkService implements Service {
        final PeerService.TcpSink spec;
        final String name;
        final StreamMeter meter;
        final MemorySegment buf = Arena.ofAuto().allocate(64 * 1024, 8);
        HostTcpSocket last;

        TcpSinkService(PeerService.TcpSink spec, String name) {
            this.spec = spec;
            this.name = name;
            this.meter = new StreamMeter(spec.verifyPattern(), measureFromNs);
            if (!stack.listenTcp(spec.port(), spec.profile() == null ? null : spec.profile().tcp(), (s, now) -> {
                meter.connection();
                last = s;
                return new Reader();
            })) {
                throw new IllegalArgumentException("peer " + name + ": TCP port " + spec.port() + " taken twice");
            }
        }

        /** One connection's reader: its own stream offset. */
        final class Reader implements HostTcpSocket.Events {
            long offset;

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
                meter.fin();
                s.close(nowNs);
            }
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public Map<String, Object> figures() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("program", "tcp_sink");
            m.put("port", spec.port());
            m.putAll(meter.figures());
            if (last != null) {
                m.put("tcp", last.connection().counters().nonZero());
            }
            return m;
        }
    }

    /**
     * A refused connect is tried again every {@link #REFUSED_RETRY_NS} ns, this many times (2 s):
     * a peer sender may start before the Nemesis domain it sends to has listened. The TAP peer's
     * senders follow the same policy.
     */
    public static final int REFUSED_RETRIES = 100;
    public static final long REFUSED_RETRY_NS = 20_000_000L;

    /** {@code tcp_send}: one connection, filled as fast as its send buffer empties. */
    private final class TcpSendService implements Service, HostTcpSocket.Events {
        final PeerService.TcpSend spec;
        final String name;
        final MemorySegment buf = Arena.ofAuto().allocate(16 * 1024, 8);
        final Runnable onStart = this::start;
        HostTcpSocket socket;
        long written;
        int refused;
        boolean finished;
        CloseReason closed = CloseReason.NONE;

        TcpSendService(PeerService.TcpSend spec, String name) {
            this.spec = spec;
            this.name = name;
            timeline.at(spec.startNs(), onStart);
        }

        private void start() {
            long now = now();
            socket = stack.connectTcp(0, spec.dstIp(), spec.dstPort(), this, now);
            arm();
        }

        @Override
        public void established(HostTcpSocket s, long nowNs) {
            fill(s, nowNs);
        }

        @Override
        public void writable(HostTcpSocket s, long nowNs) {
            fill(s, nowNs);
        }

        private void fill(HostTcpSocket s, long nowNs) {
            while (!finished) {
                long room = s.sendSpace();
                if (spec.bytes() > 0) {
                    room = Math.min(room, spec.bytes() - written);
                }
                int n = (int) Math.min(room, buf.byteSize());
                if (n <= 0) {
                    break;
                }
                if (spec.pattern()) {
                    StreamPattern.fill(buf, 0, n, written);
                }
                int took = s.write(buf, 0, n, nowNs);
                written += took;
                if (took < n) {
                    break;
                }
            }
            if (!finished && spec.bytes() > 0 && written >= spec.bytes()) {
                finished = true;
                s.close(nowNs);
            }
        }

        @Override
        public void finReceived(HostTcpSocket s, long nowNs) {
            if (!finished) {
                finished = true;
                s.close(nowNs);
            }
        }

        @Override
        public void closed(HostTcpSocket s, CloseReason why, long nowNs) {
            if (why == CloseReason.REFUSED && written == 0 && refused < REFUSED_RETRIES) {
                // The emulated host is not listening yet: try again, as a client waiting for its server.
                refused++;
                timeline.at(nowNs + REFUSED_RETRY_NS, onStart);
                return;
            }
            closed = why;
            finished = true;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public Map<String, Object> figures() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("program", "tcp_send");
            if (refused > 0) {
                m.put("connect_refused", refused);
            }
            m.put("bytes_written", written);
            m.put("bytes_acked", socket == null ? 0 : socket.bytesAcked());
            m.put("state", socket == null ? "not started" : socket.state().rfcName());
            if (closed != CloseReason.NONE) {
                m.put("closed", closed.name().toLowerCase(java.util.Locale.ROOT));
            }
            if (socket != null) {
                m.put("tcp", socket.connection().counters().nonZero());
            }
            return m;
        }
    }

    private final class PingService implements Service {
        private static final int REMEMBERED = 1024;
        final PeerService.Ping spec;
        final String name;
        final int identifier;
        final MemorySegment data;
        final long[] sentAtNs = new long[REMEMBERED];
        final int[] sentSeq = new int[REMEMBERED];
        final Runnable onDue = this::due;
        int seq;
        long received;
        long duplicates;
        long rttMin = Long.MAX_VALUE;
        long rttMax;
        long rttSum;

        PingService(PeerService.Ping spec, String name, int identifier) {
            this.spec = spec;
            this.name = name;
            this.identifier = identifier;
            this.data = Arena.ofAuto().allocate(Math.max(1, spec.size()), 8);
            java.util.Arrays.fill(sentSeq, -1);
            pingsById.put(identifier, this);
            timeline.at(spec.startNs(), onDue);
        }

        private void due() {
            long now = now();
            int s = seq & 0xFFFF;
            Pattern.fill(data, 0, spec.size(), s);
            sentSeq[s % REMEMBERED] = s;
            sentAtNs[s % REMEMBERED] = now;
            stack.sendEcho(spec.dstIp(), identifier, s, data, 0, spec.size(), now);
            arm();
            seq++;
            if (seq < spec.count()) {
                timeline.at(spec.startNs() + seq * spec.intervalNs(), onDue);
            }
        }

        void reply(int s, MemorySegment d, long off, int len, long now) {
            int slot = s % REMEMBERED;
            if (sentSeq[slot] != s || len != spec.size() || !Pattern.verify(d, off, len)) {
                duplicates += sentSeq[slot] == -2 - s ? 1 : 0;
                return;
            }
            sentSeq[slot] = -2 - s;
            long rtt = now - sentAtNs[slot];
            received++;
            rttMin = Math.min(rttMin, rtt);
            rttMax = Math.max(rttMax, rtt);
            rttSum += rtt;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public Map<String, Object> figures() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("program", "ping");
            m.put("sent", (long) seq);
            m.put("received", received);
            m.put("lost", seq - received);
            m.put("duplicates", duplicates);
            m.put("rtt_min_ns", received == 0 ? 0 : rttMin);
            m.put("rtt_avg_ns", received == 0 ? 0 : rttSum / received);
            m.put("rtt_max_ns", rttMax);
            return m;
        }
    }
}

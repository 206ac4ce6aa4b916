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
import nemesis.inet.host.HostStack;
import nemesis.kernel.Kernel;

/**
 * The simulated peer: a conventional host at one end of the {@link EthernetLink}, outside Nemesis
 * scheduling, running a {@link HostStack} and the {@link PeerService}s a scenario declares. Like
 * the link it is a device: it acts in kernel context, when a frame arrives (the link's receiver
 * callback) and at alarms it asks the {@link Timeline} for (its stack's timers, its senders'
 * pacing), and never blocks.
 *
 * <p>Each frame is processed when it arrives, in no time. {@link #processingDelay} is the hook for
 * a receiver's CPU (issue #4's profiles): with one set, frames queue for the peer's one CPU and
 * each reaches the stack when its processing is done.
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
        this.name = name;
        this.config = config;
        this.link = link;
        this.end = end;
        this.timeline = timeline;
        this.clock = clock;
        this.measureFromNs = measureFromNs;
        this.stack = new HostStack(config, this::transmit);
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
        return new SimPeer(name, config, link, end, kernel::at, () -> kernel.clock().nowNs(), measureFromNs, declared);
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
        long cost = delay == null ? 0 : delay.ns(f.length());
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

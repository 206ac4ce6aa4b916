package nemesis.bench;

import java.util.concurrent.TimeUnit;

import nemesis.atropos.Qos;
import nemesis.kernel.Domain;
import nemesis.kernel.DomainContext;
import nemesis.kernel.Kernel;
import nemesis.kernel.MachineProfile;
import nemesis.kernel.VirtualClock;
import nemesis.rbufs.IoChannel;
import nemesis.rbufs.IoEndpoint;
import nemesis.rbufs.IoRecs;
import org.jctools.queues.SpscArrayQueue;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Group;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * I/O channel throughput: the cost of moving one iorec from a producer to a consumer, beside a
 * JCTools {@link SpscArrayQueue} in the same run. One op = one iorec; all FIFOs and queues have
 * {@value #SLOTS} slots (the release's transmit FIFO).
 *
 * <p>An Rbufs FIFO only works inside a running kernel: its event counts check that the caller
 * holds the emulated CPU. So the single-thread benchmarks run their loop as the only domain of a
 * fresh virtual-time kernel, one kernel run per invocation of {@value #RAW_IORECS} iorecs; the
 * JCTools loop runs in the same harness so that its cost (kernel start, one virtual thread) is
 * on both sides of the ratio. {@code kernelHarness} measures that cost alone, per iorec.
 *
 * <ul>
 *   <li>{@code fifoRaw}: the FIFO alone, through {@link IoEndpoint#putPkt}/{@link IoEndpoint#getPkt}
 *       of a channel whose two ends are the same domain: put packets of {@code recs} records until
 *       the FIFO is full, then drain it. Same domain, so the notification is a local event count
 *       advance, not a kernel event send: this is the data structure's own cost.</li>
 *   <li>{@code spscRaw}: the baseline, the same batches through a JCTools SPSC queue of
 *       preallocated packets. It carries one reference per packet, which is what a Java program
 *       would pass; the FIFO instead copies a header and one slot per record into shared memory,
 *       because domains share memory, not objects.</li>
 *   <li>{@code spscPair}: for reference, JCTools with a producer and a consumer thread
 *       (JMH group, throughput of successful polls), one reference per 1-record packet.</li>
 *   <li>{@code channelInKernel}: the path users pay for: two domains on the emulated CPU, a
 *       producer putting {@value #KERNEL_PACKETS} packets of one record and a consumer getting
 *       them (blocking). Notifications are kernel event sends, delivered when the sender is
 *       descheduled, so each FIFO-full is a hand-over of the CPU baton between the domains' virtual
 *       threads (a park/unpark); the kernel passes per packet are reported beside the time.</li>
 * </ul>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
// One carrier for virtual threads, as the launcher and the tests run the kernel.
@Fork(value = 1, jvmArgsAppend = {"-Xms256m", "-Xmx256m", "-Djdk.virtualThreadScheduler.parallelism=1"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class IoChannelBench {

    /** Slots per FIFO and queue: the release's transmit FIFO (ClientChannels.TX_SLOTS). */
    static final int SLOTS = 32;
    /** Iorecs per single-thread invocation: whole batches for 1 record (16 packets) and 2 (10). */
    static final int RAW_IORECS = 960_000;
    /** Packets (of one record) per channelInKernel invocation. */
    static final int KERNEL_PACKETS = 100_000;
    static final long MS = 1_000_000L;
    /** Emulated run length: ample, since nothing here consumes virtual time (ideal machine). */
    static final long RUN_NS = 1_000 * MS;
    static final int AREA_BYTES = 64 * 1024;
    static final MachineProfile IDEAL = MachineProfile.load("ideal");

    /** Packets of {@code recs} records that fit in one FIFO: the batch of the single-thread loops. */
    static int perBatch(int recs) {
        return SLOTS / (recs + 1);
    }

    @FunctionalInterface
    interface LongProgram {
        long run(DomainContext ctx) throws Exception;
    }

    /** Runs {@code body} as the only domain of a fresh virtual-time kernel; returns its result. */
    static long inKernel(LongProgram body) {
        Kernel k = new Kernel(new VirtualClock(), IDEAL);
        long[] result = new long[1];
        Domain d = k.createDomain("bench", "bench", Qos.of(10 * MS, 5 * MS, true), ctx -> result[0] = body.run(ctx), 0);
        k.run(RUN_NS, 0);
        requireExited(d);
        return result[0];
    }

    /** A domain that did not finish its loop would make the timing meaningless. */
    static void requireExited(Domain d) {
        if (d.status() != Domain.Status.EXITED) {
            throw new IllegalStateException(d.name() + " did not finish: " + d.status() + " " + d.error());
        }
    }

    @State(Scope.Thread)
    public static class Raw {
        @Param({"1", "2"})
        public int recs;

        /** Packets for the JCTools queue, made once: the loop must not allocate. */
        IoRecs[] packets;

        @Setup(Level.Trial)
        public void setUp() {
            packets = new IoRecs[perBatch(recs)];
            for (int i = 0; i < packets.length; i++) {
                packets[i] = packet(recs, 0x1000_0000L + i * 4096L).value(i);
            }
        }
    }

    static IoRecs packet(int recs, long base) {
        IoRecs r = new IoRecs(recs);
        for (int i = 0; i < recs; i++) {
            r.add(base + i * 1024L, 1024);
        }
        return r;
    }

    /** Puts {@code packets} packets of {@code recs} records through {@code tx} to {@code rx}, a FIFO-full at a time. */
    static long fifoLoop(IoEndpoint tx, IoEndpoint rx, int recs, int packets) {
        int batch = perBatch(recs);
        IoRecs out = packet(recs, tx.view().base());
        IoRecs in = new IoRecs(recs);
        long sum = 0;
        for (int done = 0; done < packets; done += batch) {
            for (int i = 0; i < batch; i++) {
                if (!tx.putPkt(out.value(done + i), 0)) {
                    throw new IllegalStateException("FIFO full after " + i + " packets");
                }
            }
            for (int i = 0; i < batch; i++) {
                // Check order too: a FIFO that lost or reordered packets would be fast for nothing.
                if (!rx.getPkt(in, 0) || in.value() != done + i) {
                    throw new IllegalStateException("packet " + (done + i) + " missing or out of order");
                }
                sum += in.base(recs - 1);
            }
        }
        return sum;
    }

    /** The same batches through a JCTools queue; the consumer reads the same fields. */
    static long spscLoop(SpscArrayQueue<Object> q, IoRecs[] packets, int recs, int count) {
        int batch = packets.length;
        long sum = 0;
        for (int done = 0; done < count; done += batch) {
            for (int i = 0; i < batch; i++) {
                if (!q.offer(packets[i])) {
                    throw new IllegalStateException("queue full after " + i + " packets");
                }
            }
            for (int i = 0; i < batch; i++) {
                IoRecs p = (IoRecs) q.poll();
                if (p == null || p.value() != i) {
                    throw new IllegalStateException("packet " + (done + i) + " missing or out of order");
                }
                sum += p.base(recs - 1);
            }
        }
        return sum;
    }

    @Benchmark
    @OperationsPerInvocation(RAW_IORECS)
    public long fifoRaw(Raw s) {
        int recs = s.recs;
        return inKernel(ctx -> {
            // Both ends in this domain: put and get are the FIFO alone, no kernel event send.
            IoChannel ch = IoChannel.open("raw", IoChannel.Mode.DX, ctx, ctx, SLOTS, AREA_BYTES);
            return fifoLoop(ch.master(), ch.slave(), recs, RAW_IORECS / recs);
        });
    }

    @Benchmark
    @OperationsPerInvocation(RAW_IORECS)
    public long spscRaw(Raw s) {
        int recs = s.recs;
        IoRecs[] packets = s.packets;
        return inKernel(ctx -> spscLoop(new SpscArrayQueue<>(SLOTS), packets, recs, RAW_IORECS / recs));
    }

    /** The harness alone (a kernel run of one domain that does nothing), per iorec of the raw loops. */
    @Benchmark
    @OperationsPerInvocation(RAW_IORECS)
    public long kernelHarness() {
        return inKernel(ctx -> 0L);
    }

    // ---- the full path: two domains, kernel event sends, baton hand-overs

    /** Kernel passes (scheduling decisions, each a possible hand-over) and packets, to report their ratio. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.EVENTS)
    public static class KernelCounts {
        public long passes;
        public long packets;
    }

    @Benchmark
    @OperationsPerInvocation(KERNEL_PACKETS)
    public long channelInKernel(KernelCounts counts) {
        Kernel k = new Kernel(new VirtualClock(), IDEAL);
        long[] got = new long[1];
        Domain consumer = k.createDomain("consumer", "bench", Qos.of(10 * MS, 4 * MS, true), ctx -> {
            ctx.export("consumer", ctx);
            IoChannel ch;
            while ((ch = ctx.lookup("channel", IoChannel.class)) == null) {
                ctx.sleepUntil(ctx.nowNs() + 1_000);
            }
            IoEndpoint rx = ch.slave();
            IoRecs in = new IoRecs(1);
            for (int i = 0; i < KERNEL_PACKETS; i++) {
                if (!rx.getPkt(in, Kernel.NEVER) || in.value() != i) {
                    throw new IllegalStateException("packet " + i + " missing or out of order");
                }
            }
            got[0] = KERNEL_PACKETS;
        }, 0);
        Domain producer = k.createDomain("producer", "bench", Qos.of(10 * MS, 4 * MS, true), ctx -> {
            DomainContext peer = ctx.lookup("consumer", DomainContext.class);
            IoChannel ch = IoChannel.open("ch", IoChannel.Mode.TX, ctx, peer, SLOTS, AREA_BYTES);
            ctx.export("channel", ch);
            IoEndpoint tx = ch.master();
            IoRecs out = packet(1, tx.view().base());
            for (int i = 0; i < KERNEL_PACKETS; i++) {
                tx.putPkt(out.value(i), Kernel.NEVER);
            }
        }, 1);
        k.run(RUN_NS, 0);
        requireExited(producer);
        requireExited(consumer);
        counts.passes += k.passes();
        counts.packets += got[0];
        return got[0];
    }

    // ---- reference: JCTools across two threads

    @State(Scope.Group)
    public static class Pair {
        SpscArrayQueue<Object> q;
        final Object packet = packet(1, 0x1000_0000L);

        @Setup(Level.Trial)
        public void setUp() {
            q = new SpscArrayQueue<>(SLOTS);
        }

        /** Leftovers would make the next iteration start full. */
        @TearDown(Level.Iteration)
        public void drain() {
            while (q.poll() != null) {
                // empty
            }
        }
    }

    /** Successful polls: the delivered packets, counted per second (failed ones are spins). */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class PollCounts {
        public long pollsMade;
        public long pollsFailed;
    }

    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class OfferCounts {
        public long offersMade;
        public long offersFailed;
    }

    @Benchmark
    @Group("spscPair")
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    public void offer(Pair p, OfferCounts c) {
        if (p.q.offer(p.packet)) {
            c.offersMade++;
        } else {
            c.offersFailed++;
        }
    }

    @Benchmark
    @Group("spscPair")
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    public Object poll(Pair p, PollCounts c) {
        Object o = p.q.poll();
        if (o != null) {
            c.pollsMade++;
        } else {
            c.pollsFailed++;
        }
        return o;
    }
}

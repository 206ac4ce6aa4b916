package nemesis.rbufs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import nemesis.atropos.Qos;
import nemesis.kernel.DomainContext;
import nemesis.kernel.Kernel;
import nemesis.kernel.MachineProfile;
import nemesis.kernel.VirtualClock;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;

/**
 * Over random sequences of channel operations — packets of 1 to 4 records, puts and gets with
 * and without timeouts, record vectors too small, CPU work and yields, random reservations — every
 * packet arrives exactly once, in order, intact, comes back, and afterwards every slot is free.
 */
class IoChannelProperties {
    static final long US = 1_000L;
    static final long MS = 1_000_000L;

    @Property(tries = 60)
    void noSlotLeaksAndExactlyOnceInOrder(@ForAll @IntRange(min = 5, max = 32) int slots,
                                          @ForAll @IntRange(min = 1, max = 150) int packets,
                                          @ForAll @LongRange(min = 0, max = 1L << 40) long seed,
                                          @ForAll @IntRange(min = 1, max = 4) int masterSliceTenths,
                                          @ForAll @IntRange(min = 1, max = 4) int slaveSliceTenths) {
        Kernel k = new Kernel(new VirtualClock(), MachineProfile.load("p200-de4x5"));
        List<String> errors = new ArrayList<>();
        List<Long> received = new ArrayList<>();
        long[] returned = {0};
        int[] freeAtEnd = {-1, -1};
        k.createDomain("slave", "t", Qos.of(1 * MS, slaveSliceTenths * 100 * US, true), ctx -> {
            ctx.export("slave", ctx);
            IoChannel ch;
            while ((ch = ctx.lookup("ch", IoChannel.class)) == null) {
                ctx.sleepUntil(ctx.nowNs() + 50 * US);
            }
            IoEndpoint ep = ch.slave();
            SplittableRandom rnd = new SplittableRandom(seed ^ 0x5151);
            IoRecs big = new IoRecs(4);
            IoRecs small = new IoRecs(1);
            while (received.size() < packets) {
                IoRecs into = rnd.nextInt(5) == 0 ? small : big;
                long until = rnd.nextBoolean() ? Kernel.NEVER : ctx.nowNs() + rnd.nextLong(0, 300 * US);
                if (!ep.getPkt(into, until)) {
                    continue;
                }
                long expect = received.size();
                if (into.value() != expect) {
                    errors.add("slave got value " + into.value() + ", expected " + expect);
                }
                if (into.count() != 1 + (int) (expect % 4)) {
                    errors.add("packet " + expect + " has " + into.count() + " records");
                }
                for (int i = 0; i < into.count(); i++) {
                    if (into.base(i) != ep.area().base() + expect * 16 + i || into.len(i) != i + 1) {
                        errors.add("packet " + expect + " record " + i + " is " + into.base(i) + "+" + into.len(i));
                    }
                }
                received.add(into.value());
                if (rnd.nextInt(3) == 0) {
                    ctx.consume(rnd.nextLong(1, 200 * US));
                }
                if (!ep.putPkt(into, Kernel.NEVER)) {
                    errors.add("slave could not return packet " + expect);
                }
            }
            ctx.sleepUntil(Kernel.NEVER);
        }, 0);
        k.createDomain("master", "t", Qos.of(1 * MS, masterSliceTenths * 100 * US, true), ctx -> {
            DomainContext slave = ctx.lookup("slave", DomainContext.class);
            IoChannel ch = IoChannel.open("ch", IoChannel.Mode.TX, ctx, slave, slots, 1 << 20);
            ctx.export("ch", ch);
            IoEndpoint ep = ch.master();
            SplittableRandom rnd = new SplittableRandom(seed);
            IoRecs out = new IoRecs(4);
            IoRecs back = new IoRecs(4);
            long next = 0;
            while (next < packets || returned[0] < packets) {
                if (next < packets) {
                    out.clear().value(next);
                    for (int i = 0; i <= next % 4; i++) {
                        out.add(ep.area().base() + next * 16 + i, i + 1);
                    }
                    long until = rnd.nextBoolean() ? 0 : ctx.nowNs() + rnd.nextLong(0, 300 * US);
                    if (ep.putPkt(out, until)) {
                        next++;
                    }
                }
                while (ep.getPkt(back, next < packets ? 0 : ctx.nowNs() + 500 * US)) {
                    returned[0]++;
                }
                switch (rnd.nextInt(4)) {
                    case 0 -> ctx.consume(rnd.nextLong(1, 100 * US));
                    case 1 -> ctx.yieldCpu();
                    default -> { }
                }
            }
            freeAtEnd[0] = ep.queryPut();
            ctx.sleepUntil(ctx.nowNs() + 5 * MS);
            freeAtEnd[1] = ch.slave().queryPut();
        }, 1 * US);
        k.run(10_000 * MS, 0);
        for (nemesis.kernel.Domain d : k.domains()) {
            if (d.error() != null) {
                errors.add(d.name() + ": " + d.error());
            }
        }
        assertTrue(errors.isEmpty(), () -> String.join("\n", errors.subList(0, Math.min(5, errors.size()))));
        assertEquals(packets, received.size(), "every packet arrived once");
        assertEquals(packets, returned[0], "every packet came back");
        assertEquals(slots, freeAtEnd[0], "master's FIFO: every slot free");
        assertEquals(slots, freeAtEnd[1], "slave's FIFO: every slot free");
    }
}

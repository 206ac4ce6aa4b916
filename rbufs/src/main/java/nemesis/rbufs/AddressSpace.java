package nemesis.rbufs;

import java.util.Map;
import java.util.TreeMap;
import nemesis.kernel.DomainContext;

/**
 * The single virtual address space of one emulated machine (Nemesis has one for all domains):
 * every Rbuf area gets its own range, so an iorec's address says which area it points into.
 * Addresses are never reused within a run.
 */
public final class AddressSpace {
    private static final String KEY = "rbufs.address-space";
    /** Areas start here and are aligned to 64 KiB, so small addresses are never valid. */
    static final long FIRST = 0x1000_0000L;
    static final long ALIGN = 64 * 1024;

    private final TreeMap<Long, RbufArea> byBase = new TreeMap<>();
    private long next = FIRST;

    /** The address space of the machine {@code ctx} runs on (made on first use). */
    public static AddressSpace of(DomainContext ctx) {
        AddressSpace s = ctx.lookup(KEY, AddressSpace.class);
        if (s == null) {
            s = new AddressSpace();
            ctx.export(KEY, s);
        }
        return s;
    }

    long reserve(long size) {
        long base = next;
        next += Math.ceilDiv(Math.max(size, 1), ALIGN) * ALIGN + ALIGN; // a guard gap between areas
        return base;
    }

    void register(RbufArea a) {
        byBase.put(a.base(), a);
    }

    void unregister(RbufArea a) {
        byBase.remove(a.base());
    }

    /** The live area containing [addr, addr+len), or null. */
    public RbufArea find(long addr, long len) {
        Map.Entry<Long, RbufArea> e = byBase.floorEntry(addr);
        if (e == null) {
            return null;
        }
        RbufArea a = e.getValue();
        return a.contains(addr, len) ? a : null;
    }
}

package nemesis.rbufs;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import nemesis.kernel.Domain;
import nemesis.kernel.DomainContext;

/**
 * An Rbuf data area: off-heap memory owned by one domain at a range of the machine's address
 * space. The owner grants other domains rights to it; every access goes through an
 * {@link AreaView}, which enforces them.
 */
public final class RbufArea {
    private final AddressSpace space;
    private final DomainContext owner;
    private final String name;
    private final long base;
    private final MemorySegment memory;
    private final List<Grant> grants = new ArrayList<>(2);
    private boolean freed;

    private record Grant(DomainContext domain, Rights rights) {
    }

    private RbufArea(AddressSpace space, DomainContext owner, String name, long size, Rights ownerRights) {
        this.space = space;
        this.owner = owner;
        this.name = name;
        this.base = space.reserve(size);
        // Shared: the domains' threads are distinct (virtual) threads, one at a time.
        this.memory = Arena.ofAuto().allocate(size, 64);
        grants.add(new Grant(owner, ownerRights));
        space.register(this);
    }

    /** Allocates an area of {@code size} bytes owned by the calling domain, which may read and write it. */
    public static RbufArea allocate(DomainContext owner, String name, long size) {
        return new RbufArea(AddressSpace.of(owner), owner, name, size, Rights.READ_WRITE);
    }

    /** As {@link #allocate}, with the owner's own rights limited (a receive area the owner only reads). */
    public static RbufArea allocate(DomainContext owner, String name, long size, Rights ownerRights) {
        return new RbufArea(AddressSpace.of(owner), owner, name, size, ownerRights);
    }

    /** Gives {@code domain} rights to this area (replacing any it had). */
    public void grant(DomainContext domain, Rights rights) {
        grants.removeIf(g -> g.domain == domain);
        if (rights != Rights.NONE) {
            grants.add(new Grant(domain, rights));
        }
    }

    public Rights rightsOf(DomainContext domain) {
        if (freed) {
            return Rights.NONE;
        }
        for (Grant g : grants) {
            if (g.domain == domain) {
                return g.rights;
            }
        }
        return Rights.NONE;
    }

    /** The view {@code domain} may use: read-only or read-write, as granted. */
    public AreaView view(DomainContext domain) {
        Rights r = rightsOf(domain);
        if (!r.canRead()) {
            throw new AccessViolation(domain.name() + " has no rights to area '" + name + "' of " + owner.name());
        }
        return new AreaView(this, domain, r.canWrite() ? memory : memory.asReadOnly(), r.canWrite());
    }

    /** Unmaps the area: no view works after this. */
    public void free() {
        if (!freed) {
            freed = true;
            space.unregister(this);
        }
    }

    public boolean isFreed() {
        return freed;
    }

    public String name() {
        return name;
    }

    public DomainContext owner() {
        return owner;
    }

    /** Whether the area's owner is a domain that still runs. */
    public boolean ownerAlive() {
        return !(owner instanceof Domain d) || d.status() == Domain.Status.RUNNING;
    }

    public long base() {
        return base;
    }

    public long size() {
        return memory.byteSize();
    }

    /** Whether [addr, addr+len) lies inside this area. */
    public boolean contains(long addr, long len) {
        return len >= 0 && addr >= base && addr - base <= memory.byteSize() - len;
    }

    @Override
    public String toString() {
        return "area '" + name + "' of " + owner.name() + " [0x" + Long.toHexString(base) + ", +" + size() + ")";
    }
}

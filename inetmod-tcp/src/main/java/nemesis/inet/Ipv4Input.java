package nemesis.inet;

import java.lang.foreign.MemorySegment;
import nemesis.wire.BigEndian;
import nemesis.wire.EthernetFrame;
import nemesis.wire.Ipv4Address;
import nemesis.wire.Ipv4Packet;

/**
 * The IPv4 input of one stack (RFC 791 §3.2; RFC 1122 §3.2.1): frames in, whole datagrams out.
 * Pure: no threads, no clock. A frame is checked (Ethernet type IPv4, then the header: version,
 * lengths, checksum), must be addressed to us (our address or the limited broadcast), and is
 * put back together with the other fragments of its datagram ({@link Ipv4Reassembler}) if it is
 * one. Never throws on any bytes.
 *
 * <p>Each frame {@link #accept}ed ends as exactly one of: a datagram ({@link Result#DATAGRAM}:
 * a whole one, or the fragment that completed one), a fragment kept for later
 * ({@link Result#FRAGMENT_KEPT}), or a drop counted by reason. So
 * {@code frames() == wholeDatagrams() + fragments() + drops().total()}.
 *
 * <p>Use: {@code if (in.accept(...) == DATAGRAM) { use in.datagram(); in.release(); }} —
 * a reassembled datagram lives in a reassembly buffer until {@link #release()}.
 * Allocates nothing per frame.
 */
public final class Ipv4Input {
    public enum Result { DATAGRAM, FRAGMENT_KEPT, DROPPED }

    public enum Drop {
        SHORT_FRAME, NOT_IPV4, IP_TRUNCATED, IP_BAD_VERSION, IP_BAD_HEADER_LENGTH, IP_BAD_TOTAL_LENGTH,
        IP_BAD_CHECKSUM, NOT_FOR_US, FRAGMENTS_NOT_ACCEPTED, FRAGMENT_MALFORMED, FRAGMENT_TOO_BIG,
        FRAGMENT_CONFLICT, FRAGMENT_NO_BUFFER, FRAGMENT_STALE, FRAGMENT_DUPLICATE
    }

    private final int localIp;
    private final BufferSource buffers;
    private final Ipv4Reassembler reassembler;
    private final Ipv4Packet ip = new Ipv4Packet();
    private final Ipv4Packet out = new Ipv4Packet();
    private final Counters<Drop> drops = new Counters<>(Drop.class);
    private long held = BufferSource.NONE;
    private boolean wasReassembled;
    private Drop lastDrop;

    private long frames;
    private long whole;
    private long fragments;
    private long reassembled;

    /**
     * @param buffers where datagrams are reassembled (each of at least
     *                {@link Ipv4Reassembler#bufferCapacityFor} the largest datagram), or null to drop
     *                every fragment
     * @param maxInProgress datagrams reassembled at once
     */
    public Ipv4Input(int localIp, BufferSource buffers, int maxInProgress) {
        this.localIp = localIp;
        this.buffers = buffers;
        this.reassembler = buffers == null ? null
                : new Ipv4Reassembler(buffers, maxInProgress, Ipv4Reassembler.DEFAULT_TIMEOUT_NS,
                        Math.min(Ipv4Packet.MAX_TOTAL_LENGTH,
                                buffers.bufferCapacity() - Ipv4Reassembler.HEADER_ROOM + Ipv4Packet.MIN_HEADER_LEN));
    }

    /** Reassembly of datagrams up to 65535 bytes, {@code maxInProgress} at a time, in buffers of its own. */
    public static Ipv4Input withReassembly(int localIp, int maxInProgress) {
        return new Ipv4Input(localIp,
                new FixedBufferPool(maxInProgress, Ipv4Reassembler.bufferCapacityFor(Ipv4Packet.MAX_TOTAL_LENGTH)),
                maxInProgress);
    }

    /** Takes the frame at {@code [off, off+len)} of {@code seg}. */
    public Result accept(MemorySegment seg, long off, int len, long nowNs) {
        if (held != BufferSource.NONE) {
            release(); // the caller forgot: do not leak the buffer
        }
        frames++;
        wasReassembled = false;
        if (len < EthernetFrame.HEADER_LEN || off < 0 || off > seg.byteSize() - len) {
            return drop(Drop.SHORT_FRAME);
        }
        if (BigEndian.u16(seg, off + EthernetFrame.ETHERTYPE_OFFSET) != EthernetFrame.ETHERTYPE_IPV4) {
            return drop(Drop.NOT_IPV4);
        }
        ip.wrap(seg, off + EthernetFrame.HEADER_LEN, len - EthernetFrame.HEADER_LEN);
        switch (ip.validate()) {
            case OK -> { }
            case TRUNCATED -> { return drop(Drop.IP_TRUNCATED); }
            case BAD_VERSION -> { return drop(Drop.IP_BAD_VERSION); }
            case BAD_HEADER_LENGTH -> { return drop(Drop.IP_BAD_HEADER_LENGTH); }
            case BAD_TOTAL_LENGTH -> { return drop(Drop.IP_BAD_TOTAL_LENGTH); }
            case BAD_CHECKSUM -> { return drop(Drop.IP_BAD_CHECKSUM); }
        }
        int dst = ip.dst();
        if (dst != localIp && dst != Ipv4Address.BROADCAST) {
            return drop(Drop.NOT_FOR_US);
        }
        if (!ip.isFragment()) {
            whole++;
            out.wrap(seg, ip.offset(), ip.totalLength());
            return Result.DATAGRAM;
        }
        if (reassembler == null) {
            return drop(Drop.FRAGMENTS_NOT_ACCEPTED);
        }
        reassembler.expire(nowNs);
        switch (reassembler.offer(ip, nowNs)) {
            case HELD -> {
                fragments++;
                return Result.FRAGMENT_KEPT;
            }
            case COMPLETE -> {
                fragments++;
                reassembled++;
                wasReassembled = true;
                held = reassembler.completedBuffer();
                out.wrap(reassembler.completedSegment(), reassembler.completedOffset(), reassembler.completedLength());
                return Result.DATAGRAM;
            }
            case DUPLICATE -> { return drop(Drop.FRAGMENT_DUPLICATE); }
            case DROPPED_MALFORMED -> { return drop(Drop.FRAGMENT_MALFORMED); }
            case DROPPED_TOO_BIG -> { return drop(Drop.FRAGMENT_TOO_BIG); }
            case DROPPED_CONFLICT -> { return drop(Drop.FRAGMENT_CONFLICT); }
            case DROPPED_NO_BUFFER -> { return drop(Drop.FRAGMENT_NO_BUFFER); }
            case DROPPED_STALE -> { return drop(Drop.FRAGMENT_STALE); }
            case NOT_FRAGMENT -> throw new AssertionError("isFragment() said it was one");
            default -> throw new AssertionError();
        }
    }

    private Result drop(Drop why) {
        drops.add(why);
        lastDrop = why;
        return Result.DROPPED;
    }

    /** The datagram of the last {@link Result#DATAGRAM}, wrapped to its Total Length. */
    public Ipv4Packet datagram() {
        return out;
    }

    /** Whether the last datagram was put together from fragments. */
    public boolean wasReassembled() {
        return wasReassembled;
    }

    /** Done with the last datagram: its reassembly buffer (if any) goes back. */
    public void release() {
        if (held != BufferSource.NONE) {
            buffers.release(held);
            held = BufferSource.NONE;
        }
    }

    /** Why the last {@link Result#DROPPED}. */
    public Drop lastDrop() {
        return lastDrop;
    }

    /** When a datagram being reassembled times out, {@link Long#MAX_VALUE} if none. */
    public long nextTimerNs() {
        return reassembler == null ? Long.MAX_VALUE : reassembler.nextTimerNs();
    }

    /** Drops the datagrams whose reassembly timed out. */
    public void expire(long nowNs) {
        if (reassembler != null) {
            reassembler.expire(nowNs);
        }
    }

    public long frames() {
        return frames;
    }

    /** Frames that were whole datagrams. */
    public long wholeDatagrams() {
        return whole;
    }

    /** Frames that were fragments taken into reassembly (including those that completed a datagram). */
    public long fragments() {
        return fragments;
    }

    /** Datagrams put together from fragments. */
    public long reassembled() {
        return reassembled;
    }

    /** Datagrams handed out: whole ones and reassembled ones. */
    public long datagrams() {
        return whole + reassembled;
    }

    public Counters<Drop> drops() {
        return drops;
    }

    /** The reassembler (its counters: timeouts, evictions), or null. */
    public Ipv4Reassembler reassembler() {
        return reassembler;
    }
}

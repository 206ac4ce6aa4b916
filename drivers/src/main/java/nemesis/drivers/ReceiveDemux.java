package nemesis.drivers;

import java.lang.foreign.MemorySegment;
import nemesis.wire.BigEndian;
import nemesis.wire.EthernetFrame;
import nemesis.wire.Ipv4Packet;
import nemesis.wire.MacAddress;
import nemesis.wire.TransportPorts;
import org.agrona.collections.Int2ObjectHashMap;
import org.agrona.collections.Long2ObjectHashMap;

/**
 * The receive packet filter (digest §4, {@code mod/net/lmpf}): which client a frame is for, decided
 * as low as possible so that each domain receives only its own traffic, on buffers it primed.
 *
 * <ol>
 *   <li>Ethernet: to our MAC or broadcast; ARP goes to the flow manager's ARP channel; anything but
 *       IPv4 and ARP is dropped.</li>
 *   <li>IPv4: a valid header (version, lengths, checksum) addressed to us.</li>
 *   <li>TCP, UDP and ICMP echo replies: the exact table (local port, remote address, remote port),
 *       then the listen table (local port); ICMP echo replies use the echo identifier as local
 *       port. Everything else goes to the default channel (the flow manager: answers pings, and
 *       unmatched TCP with a reset).</li>
 *   <li>Fragments: the first carries the ports and is routed as above, and the route is remembered
 *       for the rest of the datagram; a later fragment that arrives first is held back briefly.</li>
 * </ol>
 * Malformed frames never throw: they are dropped with a {@link Drop reason}. Lookups allocate nothing.
 *
 * @param <B> the driver's client binding
 */
public final class ReceiveDemux<B> {
    /** How long a fragment route is remembered (and a held fragment waits for its first). */
    public static final long FRAGMENT_ROUTE_NS = 5_000_000_000L;
    private static final int MAX_FRAGMENT_ROUTES = 256;

    public enum Result { DELIVER, DROP, HOLD }

    public enum Drop {
        NONE, SHORT_FRAME, NOT_OUR_MAC, UNKNOWN_ETHERTYPE, IP_TRUNCATED, IP_BAD_VERSION, IP_BAD_HEADER_LENGTH,
        IP_BAD_TOTAL_LENGTH, IP_BAD_CHECKSUM, NOT_OUR_IP, NO_ARP_CLIENT, NO_DEFAULT_CLIENT
    }

    private static final int TCP = 0;
    private static final int UDP = 1;
    private static final int ICMP = 2;

    private final long hostMac;
    private final int hostIp;
    private B arpClient;
    private B defaultClient;
    @SuppressWarnings("unchecked")
    private final Long2ObjectHashMap<B>[] exact = new Long2ObjectHashMap[] {
        new Long2ObjectHashMap<B>(), new Long2ObjectHashMap<B>(), new Long2ObjectHashMap<B>()};
    @SuppressWarnings("unchecked")
    private final Int2ObjectHashMap<B>[] listen = new Int2ObjectHashMap[] {
        new Int2ObjectHashMap<B>(), new Int2ObjectHashMap<B>(), new Int2ObjectHashMap<B>()};
    private final Long2ObjectHashMap<FragmentRoute<B>> fragments = new Long2ObjectHashMap<>();
    private final Ipv4Packet ip = new Ipv4Packet();

    private B target;
    private Drop drop = Drop.NONE;

    private static final class FragmentRoute<B> {
        B client;
        long expiresNs;
    }

    public ReceiveDemux(long hostMac, int hostIp) {
        this.hostMac = hostMac;
        this.hostIp = hostIp;
    }

    // ---- tables (the flow manager installs these through the driver)

    public void arpClient(B b) {
        arpClient = b;
    }

    public void defaultClient(B b) {
        defaultClient = b;
    }

    /** Routes (protocol, local port, remote ip, remote port) to {@code b}; false if taken. */
    public boolean addExact(int protocol, int localPort, int remoteIp, int remotePort, B b) {
        Long2ObjectHashMap<B> m = exact[slot(protocol)];
        long key = exactKey(localPort, remoteIp, remotePort);
        if (m.containsKey(key)) {
            return false;
        }
        m.put(key, b);
        return true;
    }

    public void removeExact(int protocol, int localPort, int remoteIp, int remotePort) {
        exact[slot(protocol)].remove(exactKey(localPort, remoteIp, remotePort));
    }

    /** Routes everything to (protocol, local port) that no exact entry claims to {@code b}; false if taken. */
    public boolean addListen(int protocol, int localPort, B b) {
        Int2ObjectHashMap<B> m = listen[slot(protocol)];
        if (m.containsKey(localPort)) {
            return false;
        }
        m.put(localPort, b);
        return true;
    }

    public void removeListen(int protocol, int localPort) {
        listen[slot(protocol)].remove(localPort);
    }

    /** Forgets every entry that routes to {@code b} (a client that died or closed). */
    public void removeAll(B b) {
        for (Long2ObjectHashMap<B> m : exact) {
            m.values().removeIf(v -> v == b);
        }
        for (Int2ObjectHashMap<B> m : listen) {
            m.values().removeIf(v -> v == b);
        }
        fragments.values().removeIf(r -> r.client == b);
        if (arpClient == b) {
            arpClient = null;
        }
        if (defaultClient == b) {
            defaultClient = null;
        }
    }

    private static int slot(int protocol) {
        return switch (protocol) {
            case Ipv4Packet.PROTO_TCP -> TCP;
            case Ipv4Packet.PROTO_UDP -> UDP;
            case Ipv4Packet.PROTO_ICMP -> ICMP;
            default -> throw new IllegalArgumentException("no filter tables for IP protocol " + protocol);
        };
    }

    private static long exactKey(int localPort, int remoteIp, int remotePort) {
        return (long) localPort << 48 | (remoteIp & 0xFFFF_FFFFL) << 16 | remotePort;
    }

    // ---- classification

    /** The client of the last {@link Result#DELIVER}. */
    public B target() {
        return target;
    }

    /** Why the last {@link Result#DROP}. */
    public Drop drop() {
        return drop;
    }

    /** Decides where the frame at {@code [off, off+len)} goes. */
    public Result classify(MemorySegment seg, long off, int len, long nowNs) {
        target = null;
        drop = Drop.NONE;
        if (len < EthernetFrame.HEADER_LEN) {
            return dropped(Drop.SHORT_FRAME);
        }
        long dst = TransmitFilter.macAt(seg, off + EthernetFrame.DST_OFFSET);
        if (dst != hostMac && dst != MacAddress.BROADCAST) {
            return dropped(Drop.NOT_OUR_MAC);
        }
        int etherType = BigEndian.u16(seg, off + EthernetFrame.ETHERTYPE_OFFSET);
        if (etherType == EthernetFrame.ETHERTYPE_ARP) {
            return arpClient == null ? dropped(Drop.NO_ARP_CLIENT) : deliver(arpClient);
        }
        if (etherType != EthernetFrame.ETHERTYPE_IPV4) {
            return dropped(Drop.UNKNOWN_ETHERTYPE);
        }
        long l3 = off + EthernetFrame.HEADER_LEN;
        int l3len = len - EthernetFrame.HEADER_LEN;
        ip.wrap(seg, l3, l3len);
        switch (ip.validate()) {
            case OK -> { }
            case TRUNCATED -> { return dropped(Drop.IP_TRUNCATED); }
            case BAD_VERSION -> { return dropped(Drop.IP_BAD_VERSION); }
            case BAD_HEADER_LENGTH -> { return dropped(Drop.IP_BAD_HEADER_LENGTH); }
            case BAD_TOTAL_LENGTH -> { return dropped(Drop.IP_BAD_TOTAL_LENGTH); }
            case BAD_CHECKSUM -> { return dropped(Drop.IP_BAD_CHECKSUM); }
        }
        int ipDst = ip.dst();
        if (ipDst != hostIp && ipDst != -1) {
            return dropped(Drop.NOT_OUR_IP);
        }
        int proto = ip.protocol();
        long fragKey = (ip.src() & 0xFFFF_FFFFL) << 32 | (long) (proto & 0xFF) << 16 | ip.identification();
        if (ip.fragmentOffset() > 0) {
            FragmentRoute<B> r = fragments.get(fragKey);
            if (r != null && r.expiresNs > nowNs) {
                return deliver(r.client);
            }
            return Result.HOLD;
        }
        B b = byPorts(proto, l3 + ip.headerLength(), ip.totalLength() - ip.headerLength(), ip.src());
        if (b == null) {
            return defaultClient == null ? dropped(Drop.NO_DEFAULT_CLIENT) : deliver(defaultClient);
        }
        if (ip.moreFragments()) {
            remember(fragKey, b, nowNs);
        }
        return deliver(b);
    }

    private B byPorts(int proto, long l4, int l4len, int remoteIp) {
        int local;
        int remote;
        int s;
        switch (proto) {
            case Ipv4Packet.PROTO_TCP, Ipv4Packet.PROTO_UDP -> {
                long ports = TransportPorts.ports(ip.segment(), l4, l4len);
                if (ports < 0) {
                    return null;
                }
                local = TransportPorts.dstPortOf(ports);
                remote = TransportPorts.srcPortOf(ports);
                s = proto == Ipv4Packet.PROTO_TCP ? TCP : UDP;
            }
            case Ipv4Packet.PROTO_ICMP -> {
                // Echo replies (type 0) go to the pinger that owns the identifier; the rest to the default.
                if (l4len < 8 || BigEndian.u8(ip.segment(), l4) != 0) {
                    return null;
                }
                local = BigEndian.u16(ip.segment(), l4 + 4);
                remote = 0;
                s = ICMP;
            }
            default -> {
                return null;
            }
        }
        B b = exact[s].get(exactKey(local, remoteIp, remote));
        return b != null ? b : listen[s].get(local);
    }

    private void remember(long key, B b, long nowNs) {
        FragmentRoute<B> r = fragments.get(key);
        if (r == null) {
            if (fragments.size() >= MAX_FRAGMENT_ROUTES) {
                fragments.values().removeIf(x -> x.expiresNs <= nowNs);
                if (fragments.size() >= MAX_FRAGMENT_ROUTES) {
                    return; // its later fragments will be held and then dropped
                }
            }
            r = new FragmentRoute<>();
            fragments.put(key, r);
        }
        r.client = b;
        r.expiresNs = nowNs + FRAGMENT_ROUTE_NS;
    }

    private Result deliver(B b) {
        target = b;
        return Result.DELIVER;
    }

    private Result dropped(Drop why) {
        drop = why;
        return Result.DROP;
    }
}

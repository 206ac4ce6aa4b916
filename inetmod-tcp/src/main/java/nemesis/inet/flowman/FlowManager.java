package nemesis.inet.flowman;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import nemesis.atropos.AdmissionException;
import nemesis.atropos.Qos;
import nemesis.drivers.ClientBinding;
import nemesis.drivers.ClientChannels;
import nemesis.drivers.NetworkDriver;
import nemesis.drivers.TransmitFilter;
import nemesis.inet.ArpCache;
import nemesis.inet.Headers;
import nemesis.inet.HostConfig;
import nemesis.inet.wire.ArpPacket;
import nemesis.kernel.DomainContext;
import nemesis.kernel.EventCount;
import nemesis.kernel.Idc;
import nemesis.kernel.Kernel;
import nemesis.kernel.Program;
import nemesis.wire.BigEndian;
import nemesis.wire.Checksum;
import nemesis.wire.EthernetFrame;
import nemesis.wire.Ipv4Packet;
import nemesis.wire.MacAddress;

/**
 * The flow manager (digest §4, {@code mod/net/flowman}): the one trusted domain of the network
 * stack. It owns what must be shared — ports, routes, the ARP cache — and tells the driver which
 * packets belong to whom; it does no data-path work for clients, who run their own protocol code.
 *
 * <ul>
 *   <li>Ports per protocol: port 0 takes the first free one from 16000 up; a port in use is an
 *       error.</li>
 *   <li>Each flow: the client's own channel pair, registered with the driver with its transmit
 *       reservation; on bind, a transmit filter (our MAC, IPv4, the protocol, our address, the
 *       port) and a receive entry (listen on the port; exact once connected).</li>
 *   <li>ARP runs here, on its own channels, with a filter that lets it send only ARP from this
 *       host.</li>
 *   <li>The default channel gets what matches no flow: pings are answered, UDP to a closed port
 *       gets ICMP port unreachable.</li>
 *   <li>When a client domain ends, everything it held is released.</li>
 * </ul>
 * Requests arrive over IDC and are served on the flow manager's own CPU time.
 */
public final class FlowManager implements Program {
    public static final String SERVICE = "flowman";
    public static final String DRIVER_DOMAIN = "flowman.driver-domain";
    /** First port handed out for port 0 (the release's choice). */
    public static final int FIRST_EPHEMERAL = 16000;
    /** The flow manager's own channels: a small transmit reservation so ARP and replies always get out. */
    private static final Qos OWN_TX = Qos.of(100_000_000L, 500_000L, true);

    private final String driverName;
    private final HostConfig config;
    private NetworkDriver driver;
    private DomainContext ctx;

    private final Map<Integer, Flow> flows = new LinkedHashMap<>();
    private final Map<Long, Flow> ports = new HashMap<>();
    private final List<DomainContext> watched = new ArrayList<>();
    private int nextFlow = 1;

    private final ArpCache arp = new ArpCache();
    private ClientChannels arpChannels;
    private ClientChannels defaultChannels;
    private EventCount arpNews;
    private EventCount clientEnded;
    private final Map<Long, Long> resolutions = new HashMap<>();
    private long nextResolution = 1;
    private int ipId;
    private final ArpPacket arpPacket = new ArpPacket();
    private final ArpPacket arpOut = new ArpPacket();
    private final Ipv4Packet ip = new Ipv4Packet();

    // counters
    private long pingsAnswered;
    private long portUnreachables;
    private long resetsSent;
    private long defaultDropped;

    private static final class Flow {
        final int id;
        final DomainContext client;
        final ClientBinding binding;
        int protocol = -1;
        int port;
        int remoteIp;
        int remotePort;
        boolean connected;
        /** For a connection accepted on a listener's port: the listener (the port's owner). */
        Flow listener;
        /** For a port's owner: accepted connections still using its port. */
        int sharers;

        Flow(int id, DomainContext client, ClientBinding binding) {
            this.id = id;
            this.client = client;
            this.binding = binding;
        }
    }

    public FlowManager(String driverName, HostConfig config) {
        this.driverName = driverName;
        this.config = config;
    }

    public HostConfig config() {
        return config;
    }

    @Override
    public void run(DomainContext self) {
        ctx = self;
        while ((driver = self.lookup(driverName, NetworkDriver.class)) == null || driver.domain() == null) {
            self.sleepUntil(self.nowNs() + 100_000L);
        }
        self.export(DRIVER_DOMAIN, driver.domain());
        arpNews = self.newEventCount("arp-news");
        clientEnded = self.newEventCount("client-ended");
        try {
            arpChannels = ClientChannels.open(self, driver.domain(), "flowman.arp", 16, 8);
            ClientBinding a = driver.addClient(self, arpChannels.rxChannel().slave(),
                    arpChannels.txChannel().slave(), OWN_TX);
            driver.setTemplate(a, TransmitFilter.Template.arp(config.mac(), config.ip()));
            driver.arpClient(a);
            defaultChannels = ClientChannels.open(self, driver.domain(), "flowman.default", 16, 8);
            ClientBinding d = driver.addClient(self, defaultChannels.rxChannel().slave(),
                    defaultChannels.txChannel().slave(), OWN_TX);
            driver.setTemplate(d, new TransmitFilter.Template(config.mac(), EthernetFrame.ETHERTYPE_IPV4, -1,
                    config.ip(), -1));
            driver.defaultClient(d);
        } catch (AdmissionException e) {
            throw new IllegalStateException("the flow manager's own channels do not fit: " + e.getMessage(), e);
        }
        Idc<FlowRequest, Object> idc = new Idc<>(self, SERVICE, this::handle);
        self.export(SERVICE, idc);
        self.spawn("arp", this::arpLoop);
        self.spawn("default", this::defaultLoop);
        self.spawn("reaper", this::reaperLoop);
        idc.serve();
    }

    // ------------------------------------------------------------------------------------------
    // Requests
    // ------------------------------------------------------------------------------------------

    private Object handle(DomainContext client, FlowRequest r) {
        return switch (r) {
            case FlowRequest.Config c -> config;
            case FlowRequest.Open o -> open(client, o);
            case FlowRequest.Bind b -> bind(client, b);
            case FlowRequest.Connect c -> connect(client, c);
            case FlowRequest.Accept a -> accept(client, a);
            case FlowRequest.Resolve q -> resolve(q.ip());
            case FlowRequest.SetTxQos q -> setTxQos(client, q);
            case FlowRequest.Close c -> {
                Flow f = flowOf(client, c.flow());
                release(f);
                yield Boolean.TRUE;
            }
        };
    }

    private Object open(DomainContext client, FlowRequest.Open o) {
        ClientChannels ch = o.channels();
        if (ch.domain() != client || ch.rxChannel().slave().domain() != driver.domain()) {
            throw new IllegalArgumentException(client.name() + ": channels must be the caller's own, to the driver");
        }
        ClientBinding b;
        try {
            b = driver.addClient(client, ch.rxChannel().slave(), ch.txChannel().slave(), o.txQos());
        } catch (AdmissionException e) {
            return e;
        }
        Flow f = new Flow(nextFlow++, client, b);
        flows.put(f.id, f);
        if (!watched.contains(client)) {
            watched.add(client);
            client.whenEnded(clientEnded);
        }
        return f.id;
    }

    private Object bind(DomainContext client, FlowRequest.Bind b) {
        Flow f = flowOf(client, b.flow());
        int proto = b.protocol();
        if (proto != Ipv4Packet.PROTO_TCP && proto != Ipv4Packet.PROTO_UDP && proto != Ipv4Packet.PROTO_ICMP) {
            throw new IllegalArgumentException("no ports for IP protocol " + proto);
        }
        if (f.protocol >= 0) {
            throw new IllegalStateException("flow " + f.id + " is bound already (" + f.protocol + "/" + f.port + ")");
        }
        int port = b.port();
        if (port < 0 || port > 0xFFFF) {
            throw new IllegalArgumentException("port out of range: " + port);
        }
        if (port == 0) {
            port = FIRST_EPHEMERAL;
            while (ports.containsKey(key(proto, port))) {
                if (++port > 0xFFFF) {
                    return new PortInUseException("no free port left for protocol " + proto);
                }
            }
        } else if (ports.containsKey(key(proto, port))) {
            return new PortInUseException("port " + port + " (protocol " + proto + ") is in use by "
                    + ports.get(key(proto, port)).client.name());
        }
        f.protocol = proto;
        f.port = port;
        ports.put(key(proto, port), f);
        driver.setTemplate(f.binding, TransmitFilter.Template.ipv4(config.mac(), proto, config.ip(), port));
        driver.addListen(f.binding, proto, port);
        return port;
    }

    private Object connect(DomainContext client, FlowRequest.Connect c) {
        Flow f = flowOf(client, c.flow());
        if (f.protocol < 0) {
            return new IllegalStateException("flow " + f.id + " is not bound");
        }
        if (f.connected) {
            driver.removeExact(f.protocol, f.port, f.remoteIp, f.remotePort);
        } else {
            driver.removeListen(f.protocol, f.port);
        }
        f.remoteIp = c.remoteIp();
        f.remotePort = c.remotePort();
        f.connected = true;
        driver.addExact(f.binding, f.protocol, f.port, f.remoteIp, f.remotePort);
        return Boolean.TRUE;
    }

    /**
     * A connection accepted on a listening flow's port: the new flow sends from that port and
     * receives what comes from the one remote end (the exact entry wins over the listener's).
     */
    private Object accept(DomainContext client, FlowRequest.Accept a) {
        Flow f = flowOf(client, a.flow());
        Flow l = flowOf(client, a.listener());
        if (l.protocol != Ipv4Packet.PROTO_TCP || l.listener != null) {
            return new IllegalStateException("flow " + l.id + " is not a listening TCP flow");
        }
        if (f.protocol >= 0) {
            return new IllegalStateException("flow " + f.id + " is bound already");
        }
        f.protocol = l.protocol;
        f.port = l.port;
        f.listener = l;
        l.sharers++;
        f.remoteIp = a.remoteIp();
        f.remotePort = a.remotePort();
        f.connected = true;
        driver.setTemplate(f.binding, TransmitFilter.Template.ipv4(config.mac(), f.protocol, config.ip(), f.port));
        if (!driver.addExact(f.binding, f.protocol, f.port, f.remoteIp, f.remotePort)) {
            return new IllegalStateException("a connection from that remote end exists already");
        }
        return Boolean.TRUE;
    }

    private Object setTxQos(DomainContext client, FlowRequest.SetTxQos q) {
        Flow f = flowOf(client, q.flow());
        try {
            driver.setTxQos(f.binding, q.qos());
            return Boolean.TRUE;
        } catch (AdmissionException e) {
            return e;
        }
    }

    private Flow flowOf(DomainContext client, int id) {
        Flow f = flows.get(id);
        if (f == null || f.client != client) {
            throw new IllegalArgumentException(client.name() + " has no flow " + id);
        }
        return f;
    }

    private void release(Flow f) {
        if (flows.remove(f.id) == null) {
            return;
        }
        if (f.listener != null) {
            // An accepted connection gives its port back to its listener, and frees it if the
            // listener is gone and nobody else uses it (unbind is refused while a connection uses it).
            if (--f.listener.sharers == 0 && !flows.containsKey(f.listener.id)) {
                ports.remove(key(f.protocol, f.port));
            }
        } else if (f.protocol >= 0 && f.sharers == 0) {
            ports.remove(key(f.protocol, f.port));
        }
        driver.removeClient(f.binding);
    }

    private static long key(int protocol, int port) {
        return (long) protocol << 16 | port;
    }

    private void reaperLoop() {
        long seen = 0;
        while (true) {
            clientEnded.await(seen + 1);
            seen = clientEnded.read();
            for (Flow f : new ArrayList<>(flows.values())) {
                if (f.client instanceof nemesis.kernel.Domain d && d.status() != nemesis.kernel.Domain.Status.RUNNING) {
                    release(f);
                }
            }
        }
    }

    // ------------------------------------------------------------------------------------------
    // ARP
    // ------------------------------------------------------------------------------------------

    private final ArpCache.Actions actions = new ArpCache.Actions() {
        @Override
        public void sendRequest(int target) {
            sendArp(ArpPacket.OP_REQUEST, MacAddress.BROADCAST, 0, target);
        }

        @Override
        public void transmitHeld(long handle, int addr, long mac) {
            resolutions.put(handle, mac);
            arpNews.advance(1);
        }

        @Override
        public void dropHeld(long handle, int addr) {
            resolutions.put(handle, -1L);
            arpNews.advance(1);
        }
    };

    /** The MAC to send to for {@code dst}: its own on the link, else the gateway's; -1 if unreachable. */
    private long resolve(int dst) {
        int hop = config.nextHop(dst);
        if (hop == -1) {
            return MacAddress.BROADCAST;
        }
        if (hop == config.ip()) {
            return config.mac(); // to ourselves: the driver turns such frames round
        }
        if (hop == 0) {
            return -1L;
        }
        long now = ctx.nowNs();
        long mac = arp.lookup(hop, now);
        if (mac >= 0) {
            return mac;
        }
        long handle = nextResolution++;
        mac = arp.resolve(hop, handle, now, actions);
        if (mac >= 0 || mac == ArpCache.UNREACHABLE) {
            resolutions.remove(handle);
            return mac >= 0 ? mac : -1L;
        }
        while (!resolutions.containsKey(handle)) {
            arpNews.await(arpNews.read() + 1, arp.nextTimerNs());
            arp.expire(ctx.nowNs(), actions);
        }
        return resolutions.remove(handle);
    }

    private void arpLoop() {
        ClientChannels.RxFrame f = new ClientChannels.RxFrame();
        while (true) {
            if (arpChannels.receive(f, arp.nextTimerNs())) {
                arpInput(f);
                arpChannels.recycle(f);
            }
            arp.expire(ctx.nowNs(), actions);
        }
    }

    private void arpInput(ClientChannels.RxFrame f) {
        if (f.length() < EthernetFrame.HEADER_LEN + ArpPacket.LENGTH) {
            return;
        }
        ArpPacket p = arpPacket.wrap(f.memory(), f.offset() + EthernetFrame.HEADER_LEN,
                f.length() - EthernetFrame.HEADER_LEN);
        if (p.validate() != ArpPacket.Check.OK) {
            return;
        }
        long now = ctx.nowNs();
        int spa = p.senderIp();
        long sha = p.senderMac();
        boolean forUs = p.targetIp() == config.ip();
        // RFC 826: update a known sender; add it if the packet is for us.
        if (forUs) {
            arp.learn(spa, sha, now, actions);
        } else {
            arp.update(spa, sha, now, actions);
        }
        if (forUs && p.operation() == ArpPacket.OP_REQUEST) {
            sendArp(ArpPacket.OP_REPLY, sha, sha, spa);
        }
    }

    private void sendArp(int op, long ethDst, long tha, int tpa) {
        int buf = arpChannels.allocate(Kernel.NEVER);
        MemorySegment m = arpChannels.txMemory();
        long off = arpChannels.txHeaderOffset(buf);
        Headers.ethernet(m, off, ethDst, config.mac(), EthernetFrame.ETHERTYPE_ARP);
        ArpPacket p = arpOut.wrap(m, off + EthernetFrame.HEADER_LEN, ArpPacket.LENGTH);
        p.ethernetIpv4().operation(op).senderMac(config.mac()).senderIp(config.ip()).targetMac(tha).targetIp(tpa);
        arpChannels.send(buf, EthernetFrame.HEADER_LEN + ArpPacket.LENGTH, 0, Kernel.NEVER);
    }

    // ------------------------------------------------------------------------------------------
    // The default channel: what matches no flow
    // ------------------------------------------------------------------------------------------

    private void defaultLoop() {
        ClientChannels.RxFrame f = new ClientChannels.RxFrame();
        while (true) {
            defaultChannels.receive(f, Kernel.NEVER);
            defaultInput(f);
            defaultChannels.recycle(f);
        }
    }

    private void defaultInput(ClientChannels.RxFrame f) {
        MemorySegment m = f.memory();
        long l3 = f.offset() + EthernetFrame.HEADER_LEN;
        Ipv4Packet p = ip.wrap(m, l3, f.length() - EthernetFrame.HEADER_LEN);
        if (p.validate() != Ipv4Packet.Check.OK || p.dst() != config.ip() || p.fragmentOffset() > 0) {
            defaultDropped++;
            return;
        }
        // Answer the sender where it is: no ARP needed for a reply (as icmp_reflect does by route).
        long srcMac = (long) BigEndian.u16(m, f.offset() + EthernetFrame.SRC_OFFSET) << 32
                | (BigEndian.i32(m, f.offset() + EthernetFrame.SRC_OFFSET + 2) & 0xFFFF_FFFFL);
        long l4 = l3 + p.headerLength();
        int l4len = p.totalLength() - p.headerLength();
        switch (p.protocol()) {
            case Ipv4Packet.PROTO_ICMP -> {
                if (l4len >= Headers.ICMP && BigEndian.u8(m, l4) == 8 && Checksum.isValid(m, l4, l4len, 0)) {
                    icmpReply(srcMac, p.src(), 0, 0, m, l4 + 4, l4len - 4, true);
                    pingsAnswered++;
                } else {
                    defaultDropped++;
                }
            }
            case Ipv4Packet.PROTO_TCP -> {
                if (tcpReset(srcMac, p, m, l4, l4len)) {
                    resetsSent++;
                } else {
                    defaultDropped++;
                }
            }
            case Ipv4Packet.PROTO_UDP -> {
                // RFC 1122 3.2.2.1: port unreachable, quoting the IP header and 8 bytes.
                icmpReply(srcMac, p.src(), 3, 3, m, l3, Math.min(p.headerLength() + 8, p.totalLength()), false);
                portUnreachables++;
            }
            default -> defaultDropped++;
        }
    }

    /**
     * The reset RFC 9293 §3.10.7.1 sends for a segment to a port nobody has: to a segment with ACK,
     * {@code <SEQ=SEG.ACK><CTL=RST>}; otherwise {@code <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>}
     * (SYN and FIN count in SEG.LEN). A reset is never answered, and a segment whose checksum
     * fails gets nothing.
     */
    private boolean tcpReset(long dstMac, Ipv4Packet p, MemorySegment m, long l4, int l4len) {
        if (l4len < 20 || !Checksum.isValid(m, l4, l4len,
                Checksum.pseudoHeaderSum(p.src(), p.dst(), Ipv4Packet.PROTO_TCP, l4len))) {
            return false;
        }
        int flags = BigEndian.u8(m, l4 + 13);
        int dataOffset = (BigEndian.u8(m, l4 + 12) >>> 4) * 4;
        if ((flags & TCP_RST) != 0 || dataOffset < 20 || dataOffset > l4len) {
            return false;
        }
        long segSeq = BigEndian.i32(m, l4 + 4) & 0xFFFF_FFFFL;
        long segAck = BigEndian.i32(m, l4 + 8) & 0xFFFF_FFFFL;
        long segLen = l4len - dataOffset + ((flags & TCP_SYN) != 0 ? 1 : 0) + ((flags & TCP_FIN) != 0 ? 1 : 0);
        boolean hasAck = (flags & TCP_ACK) != 0;
        int buf = defaultChannels.allocate(Kernel.NEVER);
        MemorySegment out = defaultChannels.txMemory();
        long h = defaultChannels.txHeaderOffset(buf);
        long t = h + 14 + 20;
        Headers.ethernet(out, h, dstMac, config.mac(), EthernetFrame.ETHERTYPE_IPV4);
        Headers.ipv4(out, h + 14, config.ip(), p.src(), Ipv4Packet.PROTO_TCP, 20, ipId++, 64, 0);
        BigEndian.u16(out, t, BigEndian.u16(m, l4 + 2));
        BigEndian.u16(out, t + 2, BigEndian.u16(m, l4));
        BigEndian.i32(out, t + 4, hasAck ? (int) segAck : 0);
        BigEndian.i32(out, t + 8, hasAck ? 0 : (int) (segSeq + segLen));
        BigEndian.u8(out, t + 12, 5 << 4);
        BigEndian.u8(out, t + 13, hasAck ? TCP_RST : TCP_RST | TCP_ACK);
        BigEndian.u16(out, t + 14, 0);
        BigEndian.u16(out, t + 16, 0);
        BigEndian.u16(out, t + 18, 0);
        BigEndian.u16(out, t + 16, Headers.transportChecksum(out, t, 20, out, 0, 0, config.ip(), p.src(),
                Ipv4Packet.PROTO_TCP, true));
        defaultChannels.send(buf, 14 + 20 + 20, 0, Kernel.NEVER);
        return true;
    }

    private static final int TCP_FIN = 0x01;
    private static final int TCP_SYN = 0x02;
    private static final int TCP_RST = 0x04;
    private static final int TCP_ACK = 0x10;

    /**
     * Sends an ICMP message of {@code type}/{@code code} to {@code dst}: for an echo reply the rest of
     * the request after its first 4 bytes (identifier, sequence, data); for an error, 4 zero bytes
     * then the quoted datagram.
     */
    private void icmpReply(long dstMac, int dst, int type, int code, MemorySegment from, long off, int len,
                           boolean echo) {
        int buf = defaultChannels.allocate(Kernel.NEVER);
        MemorySegment m = defaultChannels.txMemory();
        long h = defaultChannels.txHeaderOffset(buf);
        long body = defaultChannels.txBodyOffset(buf);
        int bodyLen = echo ? len : len + 4;
        if (bodyLen > ClientChannels.TX_BODY) {
            defaultChannels.free(buf);
            return;
        }
        if (echo) {
            MemorySegment.copy(from, off, m, body, len);
        } else {
            BigEndian.i32(m, body, 0);
            MemorySegment.copy(from, off, m, body + 4, len);
        }
        int icmpLen = 4 + bodyLen;
        Headers.ethernet(m, h, dstMac, config.mac(), EthernetFrame.ETHERTYPE_IPV4);
        Headers.ipv4(m, h + 14, config.ip(), dst, Ipv4Packet.PROTO_ICMP, icmpLen, ipId++, 64, 0);
        long icmp = h + 14 + 20;
        BigEndian.u8(m, icmp, type);
        BigEndian.u8(m, icmp + 1, code);
        BigEndian.u16(m, icmp + 2, 0);
        // The 4-byte ICMP header lives in the header record; the checksum covers the body too.
        int sum = Checksum.sum(m, icmp, 4, 0);
        sum = Checksum.sum(m, body, bodyLen, sum);
        BigEndian.u16(m, icmp + 2, Checksum.finish(sum));
        defaultChannels.send(buf, 14 + 20 + 4, bodyLen, Kernel.NEVER);
    }

    /** Figures for results. */
    public Map<String, Long> stats() {
        Map<String, Long> s = new LinkedHashMap<>();
        s.put("flows", (long) flows.size());
        s.put("pings_answered", pingsAnswered);
        s.put("port_unreachables", portUnreachables);
        s.put("tcp_resets_sent", resetsSent);
        s.put("default_dropped", defaultDropped);
        s.put("arp_requests_sent", arp.requestsSent());
        s.put("arp_resolved", arp.resolved());
        s.put("arp_failures", arp.failures());
        return s;
    }
}

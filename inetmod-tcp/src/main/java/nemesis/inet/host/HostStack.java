package nemesis.inet.host;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.LinkedHashMap;
import java.util.Map;
import nemesis.inet.ArpCache;
import nemesis.inet.BufferSource;
import nemesis.inet.Counters;
import nemesis.inet.FixedBufferPool;
import nemesis.inet.Headers;
import nemesis.inet.HostConfig;
import nemesis.inet.Ipv4Fragmenter;
import nemesis.inet.Ipv4Input;
import nemesis.inet.tcp.TcpConfig;
import nemesis.inet.tcp.TcpResets;
import nemesis.inet.tcp.TcpState;
import nemesis.inet.wire.ArpPacket;
import nemesis.inet.wire.IcmpPacket;
import nemesis.inet.wire.TcpChecksum;
import nemesis.inet.wire.TcpHeader;
import nemesis.inet.wire.TcpHeaderOut;
import nemesis.inet.wire.UdpDatagram;
import nemesis.wire.BigEndian;
import nemesis.wire.EthernetFrame;
import nemesis.wire.Ipv4Address;
import nemesis.wire.Ipv4Packet;
import nemesis.wire.MacAddress;

/**
 * The network stack of a conventional host — no Nemesis scheduling, nothing accounted to anyone:
 * the simulated peer runs it. Ethernet, ARP (RFC 826), IPv4 with reassembly and fragmentation
 * (RFC 791, RFC 1122 §3.3), ICMP echo in both roles and the errors a host sends (RFC 792,
 * RFC 1122 §3.2.2), UDP sockets with a receive callback (RFC 768), and TCP ({@link TcpConnection}
 * per connection, {@link HostTcpSocket} with byte rings for the data; listening ports; RSTs for
 * segments no connection takes, RFC 9293 §3.10.7.1).
 *
 * <h2>Read this first</h2>
 * Pure: no threads, no clock. Frames come in through {@link #receive} with the time; frames go out
 * through a {@link FrameSink}; {@link #nextTimerNs()} says when {@link #poll} has work (ARP
 * retries and lifetimes, reassembly timeouts). It must survive any bytes: nothing a frame holds
 * makes it throw, and every frame ends in one outcome that is counted:
 * <ul>
 *   <li>a frame: dropped by reason ({@link Drop}), or an ARP packet handled, or IPv4 input
 *       ({@link Ipv4Input}: a datagram, a fragment kept, or dropped by reason);</li>
 *   <li>a datagram: delivered to a UDP handler, an echo request answered, an echo reply or an
 *       ICMP error received, given to a protocol handler, or dropped by reason.</li>
 * </ul>
 * {@link #unaccountedFrames()} and {@link #unaccountedDatagrams()} are 0 at all times.
 *
 * <h2>Output</h2>
 * A datagram is built whole, then cut to the MTU ({@link Ipv4Fragmenter}). Its fragments go out
 * at once if the next hop's Ethernet address is known; else each is copied into a holding buffer
 * and given to the {@link ArpCache}, which asks and sends them when the answer comes (up to 64 per
 * address; more, or no answer, and they are dropped, counted).
 *
 * <p>Handlers are called during {@link #receive} and may send. Not thread-safe. After the first
 * frames (which size the hash maps), receiving and sending allocate nothing.
 */
public final class HostStack {
    /** A UDP datagram for a bound port; the payload is valid during the call only. */
    @FunctionalInterface
    public interface UdpHandler {
        void onDatagram(int srcIp, int srcPort, int dstPort, MemorySegment payload, long offset, int length, long nowNs);
    }

    /** An echo reply; the data is valid during the call only. */
    @FunctionalInterface
    public interface EchoReplyHandler {
        void onEchoReply(int srcIp, int identifier, int sequence, MemorySegment data, long offset, int length, long nowNs);
    }

    /** Told of each connection a listening port accepts (on the SYN): returns its events, or null to refuse (RST). */
    @FunctionalInterface
    public interface TcpAcceptor {
        HostTcpSocket.Events accept(HostTcpSocket s, long nowNs);
    }

    /** A datagram of a protocol the stack does not speak itself (one registered replaces the stack's own TCP). */
    @FunctionalInterface
    public interface ProtocolHandler {
        void onDatagram(Ipv4Packet datagram, long nowNs);
    }

    /** Frames and datagrams received and dropped, by reason (IPv4 input counts its own). */
    public enum Drop {
        // frames
        SHORT_FRAME, NOT_OUR_MAC, UNKNOWN_ETHERTYPE, ARP_INVALID, ARP_BAD_SENDER,
        // datagrams
        ICMP_BAD, ICMP_UNHANDLED, ECHO_TO_BROADCAST, UDP_TRUNCATED, UDP_BAD_LENGTH, UDP_BAD_CHECKSUM, UDP_NO_PORT,
        UNKNOWN_PROTOCOL,
        // TCP segments
        TCP_TRUNCATED, TCP_BAD_OFFSET, TCP_BAD_CHECKSUM, TCP_NOT_UNICAST, TCP_NO_CONNECTION, TCP_REFUSED
    }

    /** What became of a datagram we sent, or of its fragments (counted as output problems). */
    public enum Sent { SENT, HELD, UNREACHABLE, TOO_BIG, NO_BUFFER }

    /** Output problems, by reason. */
    public enum OutputDrop {
        NO_ROUTE, TOO_BIG, HOLD_FULL, ARP_UNREACHABLE,
        /** Held for ARP and dropped: no answer, or more than 64 waiting for one address. */
        ARP_DROPPED
    }

    private static final int IP_AT = EthernetFrame.HEADER_LEN;
    /** Per address, fragments held waiting for ARP: a 64 KiB datagram is 45 of them. */
    private static final int HOLD_PER_ADDRESS = 64;
    private static final int HOLD_BUFFERS = 128;
    private static final int REASSEMBLY_BUFFERS = 8;
    private static final int FRAME_BYTES = EthernetFrame.MAX_FRAME;
    /** RFC 6335 §6: the dynamic ports. */
    private static final int EPHEMERAL_FIRST = 49152;

    private final HostConfig config;
    private final FrameSink sink;
    private final ArpCache arp;
    private final Ipv4Input ipv4;
    private final FixedBufferPool hold = new FixedBufferPool(HOLD_BUFFERS, FRAME_BYTES);
    private final int[] holdLength = new int[HOLD_BUFFERS];
    private final Ipv4Fragmenter fragmenter = new Ipv4Fragmenter();
    /** Datagrams are built here, after room for an Ethernet header. */
    private final MemorySegment scratch = Arena.ofAuto().allocate(IP_AT + Ipv4Packet.MAX_TOTAL_LENGTH, 8);
    private final MemorySegment frame = Arena.ofAuto().allocate(FRAME_BYTES, 8);
    private final ArpPacket arpIn = new ArpPacket();
    private final ArpPacket arpOut = new ArpPacket();
    private final IcmpPacket icmp = new IcmpPacket();
    private final UdpDatagram udp = new UdpDatagram();
    private final UdpDatagram udpOut = new UdpDatagram();
    private final IcmpPacket icmpOut = new IcmpPacket();
    private final org.agrona.collections.Int2ObjectHashMap<UdpHandler> udpPorts = new org.agrona.collections.Int2ObjectHashMap<>();
    private final ProtocolHandler[] protocols = new ProtocolHandler[256];
    // ---- TCP
    private TcpConfig tcpConfig;
    private final org.agrona.collections.Long2ObjectHashMap<HostTcpSocket> tcpConns = new org.agrona.collections.Long2ObjectHashMap<>();
    private final org.agrona.collections.Int2ObjectHashMap<TcpAcceptor> tcpListeners = new org.agrona.collections.Int2ObjectHashMap<>();
    private final org.agrona.collections.Int2ObjectHashMap<TcpConfig> listenerConfigs = new org.agrona.collections.Int2ObjectHashMap<>();
    private final java.util.ArrayList<HostTcpSocket> tcpSockets = new java.util.ArrayList<>();
    private final TcpHeader tcpIn = new TcpHeader();
    private final TcpHeaderOut tcpRst = new TcpHeaderOut();
    private int nextEphemeral = EPHEMERAL_FIRST;
    private long tcpSegments;
    private long tcpResetsSent;
    private EchoReplyHandler echoReplies;
    private long nowNs;
    private int ipId;
    private byte[] lastArray;
    private MemorySegment lastArraySegment;

    // ---- outcomes
    private final Counters<Drop> drops = new Counters<>(Drop.class);
    private final Counters<OutputDrop> outputDrops = new Counters<>(OutputDrop.class);
    private long frames;
    private long arpFrames;
    private long udpDelivered;
    private long echoRequests;
    private long echoRepliesReceived;
    private long icmpErrorsReceived;
    private long portUnreachablesReceived;
    private long protocolDelivered;
    private long framesSent;
    private long arpRepliesSent;
    private long icmpErrorsSent;

    private final ArpCache.Actions actions = new ArpCache.Actions() {
        @Override
        public void sendRequest(int ip) {
            sendArp(ArpPacket.OP_REQUEST, MacAddress.BROADCAST, MacAddress.ZERO, ip);
        }

        @Override
        public void transmitHeld(long handle, int ip, long mac) {
            long at = hold.offset(handle);
            MemorySegment m = hold.segment(handle);
            BigEndian.u48(m, at + EthernetFrame.DST_OFFSET, mac);
            transmit(m, at, holdLength[(int) handle]);
            hold.release(handle);
        }

        @Override
        public void dropHeld(long handle, int ip) {
            outputDrops.add(OutputDrop.ARP_DROPPED);
            hold.release(handle);
        }
    };

    public HostStack(HostConfig config, FrameSink sink) {
        this.config = config;
        this.sink = sink;
        this.arp = new ArpCache(ArpCache.Config.DEFAULT.withHoldLimit(HOLD_PER_ADDRESS));
        this.ipv4 = Ipv4Input.withReassembly(config.ip(), REASSEMBLY_BUFFERS);
        tcpConfig(TcpConfig.modern());
    }

    public HostConfig config() {
        return config;
    }

    public ArpCache arp() {
        return arp;
    }

    /** A permanent ARP entry (configuration); packets waiting for the address go out. */
    public void addStaticArp(int ip, long mac) {
        arp.putStatic(ip, mac, actions);
    }

    // ------------------------------------------------------------------------------------------
    // Services
    // ------------------------------------------------------------------------------------------

    /** Delivers UDP datagrams for {@code port} to {@code handler}; false if the port is taken. */
    public boolean bindUdp(int port, UdpHandler handler) {
        if (port <= 0 || port > 0xFFFF) {
            throw new IllegalArgumentException("UDP port must be 1..65535: " + port);
        }
        if (udpPorts.containsKey(port)) {
            return false;
        }
        udpPorts.put(port, handler);
        return true;
    }

    public void unbindUdp(int port) {
        udpPorts.remove(port);
    }

    /** Where echo replies go (one handler; it sorts them by identifier). */
    public void onEchoReply(EchoReplyHandler handler) {
        this.echoReplies = handler;
    }

    /** Gives datagrams of IP protocol {@code protocol} (not ICMP or UDP) to {@code handler}. */
    public void protocol(int protocol, ProtocolHandler handler) {
        if (protocol == Ipv4Packet.PROTO_ICMP || protocol == Ipv4Packet.PROTO_UDP || protocol < 0 || protocol > 255) {
            throw new IllegalArgumentException("the stack handles protocol " + protocol + " itself, or it is invalid");
        }
        protocols[protocol] = handler;
    }

    // ------------------------------------------------------------------------------------------
    // Input
    // ------------------------------------------------------------------------------------------

    /** A frame ({@code len} bytes of {@code frame}, from index 0) arrived at {@code nowNs}. */
    public void receive(byte[] frameBytes, int len, long now) {
        if (frameBytes != lastArray) {
            lastArray = frameBytes;
            lastArraySegment = MemorySegment.ofArray(frameBytes);
        }
        receive(lastArraySegment, 0, Math.max(0, Math.min(len, frameBytes.length)), now);
    }

    /** A frame ({@code len} bytes of {@code frame}, from offset 0) arrived at {@code nowNs}. */
    public void receive(MemorySegment frame, int len, long now) {
        receive(frame, 0, len, now);
    }

    /** The frame at {@code [off, off+len)} of {@code seg} arrived at {@code nowNs}. */
    public void receive(MemorySegment seg, long off, int len, long now) {
        nowNs = now;
        frames++;
        if (len < EthernetFrame.HEADER_LEN || off < 0 || off > seg.byteSize() - len) {
            drops.add(Drop.SHORT_FRAME);
            return;
        }
        long dst = BigEndian.u48(seg, off + EthernetFrame.DST_OFFSET);
        if (dst != config.mac() && dst != MacAddress.BROADCAST) {
            drops.add(Drop.NOT_OUR_MAC);
            return;
        }
        int type = BigEndian.u16(seg, off + EthernetFrame.ETHERTYPE_OFFSET);
        if (type == EthernetFrame.ETHERTYPE_ARP) {
            arpInput(seg, off + EthernetFrame.HEADER_LEN, len - EthernetFrame.HEADER_LEN);
            return;
        }
        if (type != EthernetFrame.ETHERTYPE_IPV4) {
            drops.add(Drop.UNKNOWN_ETHERTYPE);
            return;
        }
        if (ipv4.accept(seg, off, len, now) == Ipv4Input.Result.DATAGRAM) {
            try {
                datagram(ipv4.datagram());
            } finally {
                ipv4.release();
            }
        }
    }

    /** RFC 826 "Packet Reception": merge the sender, add it if we are the target, answer a request. */
    private void arpInput(MemorySegment seg, long off, int len) {
        ArpPacket p = arpIn.wrap(seg, off, len);
        if (p.validate() != ArpPacket.Check.OK) {
            drops.add(Drop.ARP_INVALID);
            return;
        }
        int spa = p.senderIp();
        long sha = p.senderMac();
        // A sender we must not believe: a group MAC, no address (an RFC 5227 probe), a broadcast, or ours.
        if (MacAddress.isMulticast(sha) || sha == MacAddress.ZERO || spa == Ipv4Address.ANY
                || spa == Ipv4Address.BROADCAST || Ipv4Address.isMulticast(spa) || spa == config.ip()) {
            drops.add(Drop.ARP_BAD_SENDER);
            return;
        }
        arpFrames++;
        boolean forUs = p.targetIp() == config.ip();
        boolean request = p.isRequest();
        if (forUs) {
            arp.learn(spa, sha, nowNs, actions);
        } else {
            arp.update(spa, sha, nowNs, actions);
        }
        if (forUs && request) {
            sendArp(ArpPacket.OP_REPLY, sha, sha, spa);
            arpRepliesSent++;
        }
    }

    private void datagram(Ipv4Packet d) {
        switch (d.protocol()) {
            case Ipv4Packet.PROTO_ICMP -> icmpInput(d);
            case Ipv4Packet.PROTO_UDP -> udpInput(d);
            case Ipv4Packet.PROTO_TCP -> {
                if (protocols[Ipv4Packet.PROTO_TCP] != null) {
                    protocolDelivered++;
                    protocols[Ipv4Packet.PROTO_TCP].onDatagram(d, nowNs);
                } else {
                    tcpInput(d);
                }
            }
            default -> {
                ProtocolHandler h = protocols[d.protocol()];
                if (h != null) {
                    protocolDelivered++;
                    h.onDatagram(d, nowNs);
                } else {
                    drops.add(Drop.UNKNOWN_PROTOCOL);
                    // RFC 1122 §3.2.2.1: a host SHOULD say "protocol unreachable".
                    icmpError(d, IcmpPacket.TYPE_DEST_UNREACHABLE, IcmpPacket.CODE_PROTOCOL_UNREACHABLE);
                }
            }
        }
    }

    private void icmpInput(Ipv4Packet d) {
        IcmpPacket p = icmp.wrap(d.segment(), d.payloadOffset(), d.payloadLength());
        if (p.validate() != IcmpPacket.Check.OK) {
            drops.add(Drop.ICMP_BAD);
            return;
        }
        switch (p.type()) {
            case IcmpPacket.TYPE_ECHO_REQUEST -> {
                // RFC 1122 §3.2.2.6: we choose not to answer requests sent to a broadcast address.
                if (d.dst() != config.ip()) {
                    drops.add(Drop.ECHO_TO_BROADCAST);
                    return;
                }
                echoRequests++;
                echoReply(d, p);
            }
            case IcmpPacket.TYPE_ECHO_REPLY -> {
                echoRepliesReceived++;
                if (echoReplies != null) {
                    echoReplies.onEchoReply(d.src(), p.echoId(), p.echoSequence(), d.segment(), p.payloadOffset(),
                            p.payloadLength(), nowNs);
                }
            }
            case IcmpPacket.TYPE_DEST_UNREACHABLE, IcmpPacket.TYPE_TIME_EXCEEDED -> {
                icmpErrorsReceived++;
                if (p.type() == IcmpPacket.TYPE_DEST_UNREACHABLE && p.code() == IcmpPacket.CODE_PORT_UNREACHABLE) {
                    portUnreachablesReceived++;
                }
            }
            default -> drops.add(Drop.ICMP_UNHANDLED);
        }
    }

    private void udpInput(Ipv4Packet d) {
        UdpDatagram u = udp.wrap(d.segment(), d.payloadOffset(), d.payloadLength());
        switch (u.validate(d.payloadLength(), d.src(), d.dst())) {
            case OK -> { }
            case TRUNCATED -> {
                drops.add(Drop.UDP_TRUNCATED);
                return;
            }
            case BAD_LENGTH -> {
                drops.add(Drop.UDP_BAD_LENGTH);
                return;
            }
            case BAD_CHECKSUM -> {
                drops.add(Drop.UDP_BAD_CHECKSUM);
                return;
            }
        }
        UdpHandler h = udpPorts.get(u.dstPort());
        if (h == null) {
            drops.add(Drop.UDP_NO_PORT);
            // RFC 1122 §4.1.3.1: port unreachable, for datagrams to us alone.
            icmpError(d, IcmpPacket.TYPE_DEST_UNREACHABLE, IcmpPacket.CODE_PORT_UNREACHABLE);
            return;
        }
        udpDelivered++;
        h.onDatagram(d.src(), u.srcPort(), u.dstPort(), u.segment(), u.payloadOffset(), u.payloadLength(), nowNs);
    }

    // ------------------------------------------------------------------------------------------
    // TCP
    // ------------------------------------------------------------------------------------------

    /**
     * The configuration of connections opened from now on (the peer's profile); its MSS is cut to
     * what the MTU carries (MTU − 40).
     */
    public void tcpConfig(TcpConfig c) {
        this.tcpConfig = fitMss(c);
    }

    private TcpConfig fitMss(TcpConfig c) {
        int most = config.mtu() - Ipv4Packet.MIN_HEADER_LEN - TcpHeader.MIN_HEADER_LEN;
        return c.mss() > most ? c.toBuilder().mss(most).build() : c;
    }

    public TcpConfig tcpConfig() {
        return tcpConfig;
    }

    /** Accepts connections on {@code port}; false if the port is taken. */
    public boolean listenTcp(int port, TcpAcceptor acceptor) {
        return listenTcp(port, null, acceptor);
    }

    /**
     * Accepts connections on {@code port} with their own configuration ({@code config}; null: the
     * stack's): one simulated host can play receivers of different kinds on different ports.
     * False if the port is taken.
     */
    public boolean listenTcp(int port, TcpConfig config, TcpAcceptor acceptor) {
        if (port <= 0 || port > 0xFFFF) {
            throw new IllegalArgumentException("TCP port must be 1..65535: " + port);
        }
        if (tcpListeners.containsKey(port)) {
            return false;
        }
        tcpListeners.put(port, acceptor);
        if (config != null) {
            listenerConfigs.put(port, fitMss(config));
        }
        return true;
    }

    public void unlistenTcp(int port) {
        tcpListeners.remove(port);
        listenerConfigs.remove(port);
    }

    /**
     * Opens a connection from {@code localPort} (0: the next free dynamic port) to
     * {@code remoteIp:remotePort}: the SYN goes at once.
     */
    public HostTcpSocket connectTcp(int localPort, int remoteIp, int remotePort, HostTcpSocket.Events events, long now) {
        nowNs = now;
        int port = localPort;
        if (port == 0) {
            for (int tries = 0; tries < 16384 && port == 0; tries++) {
                int p = nextEphemeral;
                nextEphemeral = nextEphemeral == 0xFFFF ? EPHEMERAL_FIRST : nextEphemeral + 1;
                if (!tcpConns.containsKey(tcpKey(remoteIp, remotePort, p)) && !tcpListeners.containsKey(p)) {
                    port = p;
                }
            }
        }
        long key = tcpKey(remoteIp, remotePort, port);
        if (port == 0 || tcpConns.containsKey(key)) {
            throw new IllegalStateException("no free port, or the connection exists: " + port);
        }
        HostTcpSocket s = new HostTcpSocket(this, tcpConfig, config.ip(), port, remoteIp, remotePort, key);
        s.events(events);
        tcpConns.put(key, s);
        tcpSockets.add(s);
        s.connection().connect(now);
        afterTcp(s, now);
        return s;
    }

    /** The open connections (CLOSED ones are forgotten). */
    public java.util.List<HostTcpSocket> tcpSockets() {
        return java.util.Collections.unmodifiableList(tcpSockets);
    }

    private static long tcpKey(int remoteIp, int remotePort, int localPort) {
        return ((long) remoteIp << 32) | ((long) (remotePort & 0xFFFF) << 16) | (localPort & 0xFFFF);
    }

    /** RFC 9293 §3.10.7: a segment to its connection, a SYN to a listener, anything else a RST. */
    private void tcpInput(Ipv4Packet d) {
        TcpHeader t = tcpIn.wrap(d.segment(), d.payloadOffset(), d.payloadLength());
        switch (t.validate(d.payloadLength(), d.src(), d.dst())) {
            case OK -> { }
            case TRUNCATED -> {
                drops.add(Drop.TCP_TRUNCATED);
                return;
            }
            case BAD_DATA_OFFSET -> {
                drops.add(Drop.TCP_BAD_OFFSET);
                return;
            }
            case BAD_CHECKSUM -> {
                drops.add(Drop.TCP_BAD_CHECKSUM);
                return;
            }
        }
        int src = d.src();
        // RFC 1122 §4.2.3.10: segments to or from broadcast and multicast addresses are not TCP's.
        if (d.dst() != config.ip() || src == Ipv4Address.ANY || src == Ipv4Address.BROADCAST
                || Ipv4Address.isMulticast(src)) {
            drops.add(Drop.TCP_NOT_UNICAST);
            return;
        }
        HostTcpSocket s = tcpConns.get(tcpKey(src, t.srcPort(), t.dstPort()));
        if (s == null) {
            TcpAcceptor acceptor = tcpListeners.get(t.dstPort());
            int f = t.flags();
            if (acceptor != null && (f & (TcpHeader.SYN | TcpHeader.ACK | TcpHeader.RST)) == TcpHeader.SYN) {
                TcpConfig c = listenerConfigs.get(t.dstPort());
                s = new HostTcpSocket(this, c != null ? c : tcpConfig, config.ip(), t.dstPort(), src, t.srcPort(),
                        tcpKey(src, t.srcPort(), t.dstPort()));
                HostTcpSocket.Events ev = acceptor.accept(s, nowNs);
                if (ev == null) {
                    drops.add(Drop.TCP_REFUSED);
                    tcpReset(t);
                    return;
                }
                s.events(ev);
                tcpConns.put(s.key(), s);
                tcpSockets.add(s);
                s.connection().listen(nowNs);
            } else {
                drops.add(Drop.TCP_NO_CONNECTION);
                tcpReset(t);
                return;
            }
        }
        tcpSegments++;
        s.connection().input(t, nowNs);
        afterTcp(s, nowNs);
    }

    /** RFC 9293 reset generation for a segment no connection takes. */
    private void tcpReset(TcpHeader t) {
        if (TcpResets.answer(t, tcpRst)) {
            tcpResetsSent++;
            tcpTransmit(tcpRst, null, 1, 0, 0);
        }
    }

    /** After any call into a connection: its application hears what happened. */
    void afterTcp(HostTcpSocket s, long now) {
        s.dispatch(now);
    }

    /** The connection ended (or fell back to LISTEN): its key is free. */
    void forget(HostTcpSocket s) {
        if (tcpConns.get(s.key()) == s) {
            tcpConns.remove(s.key());
        }
    }

    /** Sends a segment: header, then {@code len} stream bytes from {@code from} out of the send ring. */
    void tcpTransmit(TcpHeaderOut h, MemorySegment ring, int ringCap, long from, int len) {
        long t = IP_AT + Ipv4Packet.MIN_HEADER_LEN;
        int hl = h.write(scratch, t);
        if (len > 0) {
            int pos = (int) (from % ringCap);
            int first = Math.min(len, ringCap - pos);
            MemorySegment.copy(ring, pos, scratch, t + hl, first);
            if (first < len) {
                MemorySegment.copy(ring, 0, scratch, t + hl + first, len - first);
            }
        }
        TcpChecksum.fill(scratch, t, hl + len, config.ip(), h.dstIp);
        Headers.ipv4(scratch, IP_AT, config.ip(), h.dstIp, Ipv4Packet.PROTO_TCP, hl + len, ipId++,
                Ipv4Packet.DEFAULT_TTL, Ipv4Packet.FLAG_DF);
        output(h.dstIp, Ipv4Packet.MIN_HEADER_LEN + hl + len);
    }

    // ------------------------------------------------------------------------------------------
    // Output
    // ------------------------------------------------------------------------------------------

    /** Sends a UDP datagram of {@code len} (0..65507) bytes from our port {@code srcPort}. */
    public Sent sendUdp(int srcPort, int dstIp, int dstPort, MemorySegment payload, long off, int len, long now) {
        if (len < 0 || len > UdpDatagram.MAX_PAYLOAD) {
            throw new IllegalArgumentException("UDP payload must be 0.." + UdpDatagram.MAX_PAYLOAD + " bytes: " + len);
        }
        nowNs = now;
        int udpLen = UdpDatagram.HEADER_LEN + len;
        long u = IP_AT + Ipv4Packet.MIN_HEADER_LEN;
        MemorySegment.copy(payload, off, scratch, u + UdpDatagram.HEADER_LEN, len);
        udpOut.wrap(scratch, u, udpLen).header(srcPort, dstPort, len).fillChecksum(config.ip(), dstIp);
        Headers.ipv4(scratch, IP_AT, config.ip(), dstIp, Ipv4Packet.PROTO_UDP, udpLen, ipId++, Ipv4Packet.DEFAULT_TTL, 0);
        return output(dstIp, Ipv4Packet.MIN_HEADER_LEN + udpLen);
    }

    /** Sends echo request {@code identifier}/{@code sequence} with {@code len} bytes of data. */
    public Sent sendEcho(int dstIp, int identifier, int sequence, MemorySegment data, long off, int len, long now) {
        if (len < 0 || len > Ipv4Packet.MAX_TOTAL_LENGTH - Ipv4Packet.MIN_HEADER_LEN - IcmpPacket.HEADER_LEN) {
            throw new IllegalArgumentException("echo data too long: " + len);
        }
        nowNs = now;
        long c = IP_AT + Ipv4Packet.MIN_HEADER_LEN;
        MemorySegment.copy(data, off, scratch, c + IcmpPacket.HEADER_LEN, len);
        icmpOut.wrap(scratch, c, IcmpPacket.HEADER_LEN + len).type(IcmpPacket.TYPE_ECHO_REQUEST).code(0)
                .echoId(identifier).echoSequence(sequence).fillChecksum();
        Headers.ipv4(scratch, IP_AT, config.ip(), dstIp, Ipv4Packet.PROTO_ICMP, IcmpPacket.HEADER_LEN + len, ipId++,
                Ipv4Packet.DEFAULT_TTL, 0);
        return output(dstIp, Ipv4Packet.MIN_HEADER_LEN + IcmpPacket.HEADER_LEN + len);
    }

    /** Sends a datagram of protocol {@code protocol} with {@code len} bytes of payload (for a protocol handler's replies). */
    public Sent sendIp(int dstIp, int protocol, MemorySegment payload, long off, int len, long now) {
        if (len < 0 || len > Ipv4Packet.MAX_TOTAL_LENGTH - Ipv4Packet.MIN_HEADER_LEN) {
            throw new IllegalArgumentException("IP payload too long: " + len);
        }
        nowNs = now;
        MemorySegment.copy(payload, off, scratch, IP_AT + Ipv4Packet.MIN_HEADER_LEN, len);
        Headers.ipv4(scratch, IP_AT, config.ip(), dstIp, protocol, len, ipId++, Ipv4Packet.DEFAULT_TTL, 0);
        return output(dstIp, Ipv4Packet.MIN_HEADER_LEN + len);
    }

    /** The echo request's message back with type 0 (RFC 792: data, identifier and sequence unchanged). */
    private void echoReply(Ipv4Packet d, IcmpPacket request) {
        int len = request.length();
        long c = IP_AT + Ipv4Packet.MIN_HEADER_LEN;
        MemorySegment.copy(d.segment(), request.offset(), scratch, c, len);
        icmpOut.wrap(scratch, c, len).type(IcmpPacket.TYPE_ECHO_REPLY).code(0).fillChecksum();
        Headers.ipv4(scratch, IP_AT, config.ip(), d.src(), Ipv4Packet.PROTO_ICMP, len, ipId++, Ipv4Packet.DEFAULT_TTL, 0);
        output(d.src(), Ipv4Packet.MIN_HEADER_LEN + len);
    }

    /**
     * An ICMP error about datagram {@code d}, quoting its header and first 8 bytes of data (RFC 792),
     * unless RFC 1122 §3.2.2 forbids one: about an ICMP error, a datagram to a broadcast or
     * multicast address, a fragment other than the first, or from a source that is not one host.
     */
    private void icmpError(Ipv4Packet d, int type, int code) {
        int src = d.src();
        if (d.dst() != config.ip() || d.fragmentOffset() != 0 || src == Ipv4Address.ANY
                || src == Ipv4Address.BROADCAST || Ipv4Address.isMulticast(src) || Ipv4Address.isLoopback(src)) {
            return;
        }
        if (d.protocol() == Ipv4Packet.PROTO_ICMP && d.payloadLength() >= 1) {
            int t = BigEndian.u8(d.segment(), d.payloadOffset());
            if (t != IcmpPacket.TYPE_ECHO_REQUEST && t != IcmpPacket.TYPE_ECHO_REPLY) {
                return;
            }
        }
        int quoted = Math.min(d.headerLength() + 8, d.totalLength());
        long c = IP_AT + Ipv4Packet.MIN_HEADER_LEN;
        MemorySegment.copy(d.segment(), d.offset(), scratch, c + IcmpPacket.HEADER_LEN, quoted);
        icmpOut.wrap(scratch, c, IcmpPacket.HEADER_LEN + quoted).type(type).code(code).restOfHeader(0).fillChecksum();
        Headers.ipv4(scratch, IP_AT, config.ip(), src, Ipv4Packet.PROTO_ICMP, IcmpPacket.HEADER_LEN + quoted, ipId++,
                Ipv4Packet.DEFAULT_TTL, 0);
        icmpErrorsSent++;
        output(src, Ipv4Packet.MIN_HEADER_LEN + IcmpPacket.HEADER_LEN + quoted);
    }

    /** The datagram of {@code total} bytes in {@code scratch} at {@link #IP_AT}: fragment, resolve, send. */
    private Sent output(int dst, int total) {
        int hop = config.nextHop(dst);
        boolean broadcast = dst == Ipv4Address.BROADCAST;
        if (hop == 0 && !broadcast) {
            outputDrops.add(OutputDrop.NO_ROUTE);
            return Sent.UNREACHABLE;
        }
        if (fragmenter.begin(scratch, IP_AT, total, config.mtu()) != Ipv4Fragmenter.Result.OK) {
            outputDrops.add(OutputDrop.TOO_BIG);
            return Sent.TOO_BIG;
        }
        long mac = broadcast ? MacAddress.BROADCAST : arp.lookup(hop, nowNs);
        if (mac >= 0) {
            while (fragmenter.hasNext()) {
                int n = fragmenter.next(frame, IP_AT);
                Headers.ethernet(frame, 0, mac, config.mac(), EthernetFrame.ETHERTYPE_IPV4);
                transmit(frame, 0, IP_AT + n);
            }
            return Sent.SENT;
        }
        // Each fragment waits in a buffer of its own; the cache sends or drops each exactly once.
        while (fragmenter.hasNext()) {
            long h = hold.acquire();
            if (h == BufferSource.NONE) {
                outputDrops.add(OutputDrop.HOLD_FULL);
                return Sent.NO_BUFFER;
            }
            MemorySegment m = hold.segment(h);
            long at = hold.offset(h);
            int n = fragmenter.next(m, at + IP_AT);
            Headers.ethernet(m, at, MacAddress.ZERO, config.mac(), EthernetFrame.ETHERTYPE_IPV4);
            holdLength[(int) h] = IP_AT + n;
            long r = arp.resolve(hop, h, nowNs, actions);
            if (r >= 0) {
                actions.transmitHeld(h, hop, r);
            } else if (r == ArpCache.UNREACHABLE) {
                hold.release(h);
                outputDrops.add(OutputDrop.ARP_UNREACHABLE);
                return Sent.UNREACHABLE;
            }
        }
        return Sent.HELD;
    }

    private void sendArp(int op, long ethDst, long targetMac, int targetIp) {
        Headers.ethernet(frame, 0, ethDst, config.mac(), EthernetFrame.ETHERTYPE_ARP);
        arpOut.wrap(frame, IP_AT, ArpPacket.LENGTH).ethernetIpv4().operation(op).senderMac(config.mac())
                .senderIp(config.ip()).targetMac(targetMac).targetIp(targetIp);
        transmit(frame, 0, IP_AT + ArpPacket.LENGTH);
    }

    private void transmit(MemorySegment m, long off, int len) {
        framesSent++;
        sink.send(m, off, len, nowNs);
    }

    // ------------------------------------------------------------------------------------------
    // Timers
    // ------------------------------------------------------------------------------------------

    /** When {@link #poll} has work next, {@link Long#MAX_VALUE} if never. */
    public long nextTimerNs() {
        long t = Math.min(arp.nextTimerNs(), ipv4.nextTimerNs());
        for (int i = 0; i < tcpSockets.size(); i++) {
            t = Math.min(t, tcpSockets.get(i).connection().nextTimerNs());
        }
        return t;
    }

    /** Does what is due at {@code now}: ARP retries, give-ups and lifetimes; reassembly timeouts. */
    public void poll(long now) {
        nowNs = now;
        arp.expire(now, actions);
        ipv4.expire(now);
        for (int i = 0; i < tcpSockets.size(); i++) {
            HostTcpSocket s = tcpSockets.get(i);
            if (s.connection().nextTimerNs() <= now) {
                s.connection().onTimer(now);
                afterTcp(s, now);
            }
        }
        // forget the connections that ended (in place: no allocation)
        int w = 0;
        for (int i = 0; i < tcpSockets.size(); i++) {
            HostTcpSocket s = tcpSockets.get(i);
            if (!s.gone()) {
                tcpSockets.set(w++, s);
            }
        }
        while (tcpSockets.size() > w) {
            tcpSockets.remove(tcpSockets.size() - 1);
        }
    }

    // ------------------------------------------------------------------------------------------
    // Figures
    // ------------------------------------------------------------------------------------------

    public long frames() {
        return frames;
    }

    public long framesSent() {
        return framesSent;
    }

    public long udpDelivered() {
        return udpDelivered;
    }

    public long echoRequestsAnswered() {
        return echoRequests;
    }

    public long echoRepliesReceived() {
        return echoRepliesReceived;
    }

    public long portUnreachablesReceived() {
        return portUnreachablesReceived;
    }

    public long icmpErrorsSent() {
        return icmpErrorsSent;
    }

    /** TCP segments given to a connection (new ones included). */
    public long tcpSegmentsReceived() {
        return tcpSegments;
    }

    /** RSTs sent for segments no connection took (a connection's own are in its counters). */
    public long tcpResetsSent() {
        return tcpResetsSent;
    }

    public Counters<Drop> drops() {
        return drops;
    }

    public Counters<OutputDrop> outputDrops() {
        return outputDrops;
    }

    public Ipv4Input ipv4() {
        return ipv4;
    }

    /** Frames whose fate was not counted: always 0. */
    public long unaccountedFrames() {
        long frameDrops = drops.get(Drop.SHORT_FRAME) + drops.get(Drop.NOT_OUR_MAC) + drops.get(Drop.UNKNOWN_ETHERTYPE)
                + drops.get(Drop.ARP_INVALID) + drops.get(Drop.ARP_BAD_SENDER);
        return frames - frameDrops - arpFrames - ipv4.frames();
    }

    /** Datagrams whose fate was not counted: always 0. */
    public long unaccountedDatagrams() {
        long datagramDrops = drops.total() - drops.get(Drop.SHORT_FRAME) - drops.get(Drop.NOT_OUR_MAC)
                - drops.get(Drop.UNKNOWN_ETHERTYPE) - drops.get(Drop.ARP_INVALID) - drops.get(Drop.ARP_BAD_SENDER);
        return ipv4.datagrams() - udpDelivered - echoRequests - echoRepliesReceived - icmpErrorsReceived
                - protocolDelivered - tcpSegments - datagramDrops;
    }

    /** Every figure, in a stable order, drops by lower-case reason (non-zero only). */
    public Map<String, Long> counters() {
        Map<String, Long> m = new LinkedHashMap<>();
        m.put("frames_received", frames);
        m.put("frames_sent", framesSent);
        m.put("arp_received", arpFrames);
        m.put("arp_replies_sent", arpRepliesSent);
        m.put("arp_requests_sent", arp.requestsSent());
        m.put("datagrams_received", ipv4.datagrams());
        m.put("reassembled", ipv4.reassembled());
        m.put("udp_delivered", udpDelivered);
        m.put("echo_requests_answered", echoRequests);
        m.put("echo_replies_received", echoRepliesReceived);
        m.put("icmp_errors_received", icmpErrorsReceived);
        m.put("icmp_errors_sent", icmpErrorsSent);
        m.put("tcp_segments_received", tcpSegments);
        m.put("tcp_resets_sent", tcpResetsSent);
        drops.nonZero().forEach((k, v) -> m.put("drop_" + k, v));
        ipv4.drops().nonZero().forEach((k, v) -> m.put("drop_" + k, v));
        outputDrops.nonZero().forEach((k, v) -> m.put("output_drop_" + k, v));
        return m;
    }
}

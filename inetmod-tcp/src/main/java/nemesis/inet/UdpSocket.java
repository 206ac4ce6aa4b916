package nemesis.inet;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.LinkedHashMap;
import java.util.Map;
import nemesis.drivers.ClientChannels;
import nemesis.inet.wire.UdpDatagram;
import nemesis.kernel.DomainContext;
import nemesis.wire.Checksum;
import nemesis.wire.Ipv4Packet;

/**
 * A UDP socket of InetMod (RFC 768): one flow with its own channels to the driver; all protocol
 * work runs on the calling thread, charged to the calling domain.
 *
 * <h2>Sending</h2>
 * {@link #send}: the headers (Ethernet, IPv4, UDP with its checksum) go in a transmit buffer's
 * header record and the payload is copied into its body record; a datagram longer than the MTU
 * goes as IP fragments, one frame (one buffer) each ({@link UdpOutput}). A send waits while no
 * transmit buffer is free; buffers come back once the driver has sent them.
 *
 * <h2>Receiving</h2>
 * {@link #receive}: frames are taken from the socket's receive channel on the calling thread,
 * checked ({@link UdpInput}: IPv4, reassembly, UDP length and checksum, port; every drop counted by
 * reason), the payload copied to the caller, the buffer handed back to the driver.
 *
 * <p>CPU ({@link InetCosts}): per datagram sent {@code udp_output} and the checksum of the UDP
 * datagram, per frame {@code ip_output} and the copy of its payload slice; per frame received
 * {@code ip_input} (and a copy of it into the reassembly buffer if a fragment), per datagram
 * delivered {@code udp_input}, its checksum and the copy to the caller.
 *
 * <p>One thread at a time. The per-datagram paths allocate nothing (a {@code byte[]} payload is
 * wrapped once per array).
 */
public final class UdpSocket implements AutoCloseable {
    /** {@link #send}, {@link #receive}: nothing happened before the time given. */
    public static final int TIMEOUT = -1;
    /** {@link #send}: no Ethernet address for the destination (ARP failed, or no route). */
    public static final int UNREACHABLE = -2;
    /** Time to live of our datagrams (RFC 1700's recommended default). */
    private static final int TTL = Ipv4Packet.DEFAULT_TTL;

    private final InetMod inet;
    private final DomainContext ctx;
    private final ClientChannels channels;
    private final int flow;
    private final int localPort;
    private final HostConfig host;
    private final InetCosts costs;
    private final UdpOutput out = new UdpOutput();
    private final UdpInput in;
    private final ClientChannels.RxFrame rx = new ClientChannels.RxFrame();
    private int ipId;
    private boolean closed;
    private int remoteIp;
    private int remotePort = -1;

    // the last byte[] payload, wrapped once
    private byte[] lastArray;
    private MemorySegment lastArraySegment;

    // the last datagram received
    private int lastSourceIp;
    private int lastSourcePort;
    private int lastLength;

    // counters
    private long datagramsSent;
    private long bytesSent;
    private long framesSent;
    private long sendTimeouts;
    private long unreachable;
    private long sendWaitNs;
    private long datagramsReceived;
    private long bytesReceived;
    private long truncated;

    UdpSocket(InetMod inet, ClientChannels channels, int flow, int localPort) {
        this.inet = inet;
        this.ctx = inet.domain();
        this.channels = channels;
        this.flow = flow;
        this.localPort = localPort;
        this.host = inet.config();
        this.costs = inet.costs();
        this.in = new UdpInput(Ipv4Input.withReassembly(host.ip(), 4), localPort);
        // XXX every domain numbers its own datagrams; starting at a random point makes two domains
        // fragmenting to the same host with the same identification at once unlikely, not impossible.
        this.ipId = ctx.random().nextInt(0x10000);
    }

    public int localPort() {
        return localPort;
    }

    /**
     * Receives only from {@code ip:port} from now on (the driver's exact filter); {@link #send}
     * to {@link #remoteIp()}/{@link #remotePort()} needs no address.
     */
    public void connect(int ip, int port) {
        checkOpen();
        inet.flowManager().connect(flow, ip, port);
        remoteIp = ip;
        remotePort = port;
    }

    public int remoteIp() {
        return remoteIp;
    }

    /** The port connected to, -1 if not connected. */
    public int remotePort() {
        return remotePort;
    }

    // ------------------------------------------------------------------------------------------
    // Sending
    // ------------------------------------------------------------------------------------------

    /** As {@link #send(int, int, MemorySegment, long, int, long)} for a heap array. */
    public int send(int dstIp, int dstPort, byte[] payload, int off, int len, long untilNs) {
        java.util.Objects.checkFromIndexSize(off, len, payload.length);
        if (payload != lastArray) {
            lastArray = payload;
            lastArraySegment = MemorySegment.ofArray(payload);
        }
        return send(dstIp, dstPort, lastArraySegment, off, len, untilNs);
    }

    /** To the address {@linkplain #connect connected} to. */
    public int send(byte[] payload, int off, int len, long untilNs) {
        if (remotePort < 0) {
            throw new IllegalStateException("not connected: name a destination");
        }
        return send(remoteIp, remotePort, payload, off, len, untilNs);
    }

    /**
     * Sends {@code len} bytes (0..65507) at {@code off} of {@code payload} to {@code dstIp:dstPort},
     * waiting until {@code untilNs} for transmit buffers.
     *
     * @return {@code len} once every frame is queued for the driver; {@link #TIMEOUT} if a buffer
     *         did not come in time (frames of a fragmented datagram already queued go out, and
     *         the receiver will drop the incomplete datagram); {@link #UNREACHABLE}
     */
    public int send(int dstIp, int dstPort, MemorySegment payload, long off, int len, long untilNs) {
        checkOpen();
        if (len < 0 || len > UdpDatagram.MAX_PAYLOAD) {
            throw new IllegalArgumentException("UDP payload must be 0.." + UdpDatagram.MAX_PAYLOAD + " bytes: " + len);
        }
        if (dstPort < 0 || dstPort > 0xFFFF) {
            throw new IllegalArgumentException("port out of range: " + dstPort);
        }
        long mac = inet.macFor(dstIp);
        if (mac < 0) {
            unreachable++;
            return UNREACHABLE;
        }
        ctx.consume(costs.udpOutputNs + costs.checksumNs(UdpDatagram.HEADER_LEN + (long) len));
        int sum = Checksum.sum(payload, off, len);
        int frames = out.begin(host.mac(), mac, host.ip(), dstIp, localPort, dstPort, len, sum, ipId++, TTL, host.mtu());
        MemorySegment tx = channels.txMemory();
        for (int k = 0; k < frames; k++) {
            long t0 = ctx.nowNs();
            int buf = channels.allocate(untilNs);
            sendWaitNs += ctx.nowNs() - t0;
            if (buf < 0) {
                sendTimeouts++;
                return TIMEOUT;
            }
            int hl = out.writeHeaders(k, tx, channels.txHeaderOffset(buf));
            int bl = out.bodyLength(k);
            if (bl > 0) {
                MemorySegment.copy(payload, off + out.bodyOffset(k), tx, channels.txBodyOffset(buf), bl);
            }
            ctx.consume(costs.ipOutputNs + costs.copyNs(bl));
            if (!channels.send(buf, hl, bl, untilNs)) {
                channels.free(buf);
                sendTimeouts++;
                return TIMEOUT;
            }
            framesSent++;
        }
        datagramsSent++;
        bytesSent += len;
        return len;
    }

    /**
     * Waits until {@code untilNs} for every frame queued to have left (the driver has given all
     * transmit buffers back): before closing, or ending the domain, which would drop what is still
     * queued. True if all are back.
     */
    public boolean flush(long untilNs) {
        checkOpen();
        while (channels.freeTxBuffers() < channels.txBuffers()) {
            if (!channels.reclaim(untilNs)) {
                return false;
            }
        }
        return true;
    }

    // ------------------------------------------------------------------------------------------
    // Receiving
    // ------------------------------------------------------------------------------------------

    /** As {@link #receive(MemorySegment, long, int, long)} into a heap array. */
    public int receive(byte[] dst, int off, int max, long untilNs) {
        java.util.Objects.checkFromIndexSize(off, max, dst.length);
        checkOpen();
        int n = next(untilNs);
        if (n < 0) {
            return n;
        }
        int c = Math.min(n, max);
        MemorySegment.copy(in.payloadSegment(), ValueLayout.JAVA_BYTE, in.payloadOffset(), dst, off, c);
        return delivered(n, c);
    }

    /**
     * Waits until {@code untilNs} for a datagram and copies up to {@code max} bytes of its payload
     * to {@code dst} at {@code off} (the rest is lost, as with BSD's {@code recv}).
     *
     * @return the bytes copied ({@link #lastLength()} is the datagram's payload length), or
     *         {@link #TIMEOUT}
     */
    public int receive(MemorySegment dst, long off, int max, long untilNs) {
        checkOpen();
        int n = next(untilNs);
        if (n < 0) {
            return n;
        }
        int c = Math.min(n, max);
        MemorySegment.copy(in.payloadSegment(), in.payloadOffset(), dst, off, c);
        return delivered(n, c);
    }

    /** Takes frames until one completes a datagram for us; returns its payload length or TIMEOUT. */
    private int next(long untilNs) {
        while (channels.receive(rx, untilNs)) {
            long fragmentsBefore = in.ip().fragments();
            boolean ok = in.accept(rx.memory(), rx.offset(), rx.length(), ctx.nowNs());
            long cost = costs.ipInputNs;
            if (in.ip().fragments() != fragmentsBefore) {
                cost += costs.copyNs(rx.length());
            }
            if (ok) {
                // The payload stays where it is until delivered() (a frame buffer or a reassembly buffer).
                ctx.consume(cost + costs.udpInputNs + costs.checksumNs(in.udpLength()));
                return in.payloadLength();
            }
            channels.recycle(rx);
            ctx.consume(cost);
        }
        return TIMEOUT;
    }

    private int delivered(int n, int copied) {
        lastSourceIp = in.srcIp();
        lastSourcePort = in.srcPort();
        lastLength = n;
        if (copied < n) {
            truncated++;
        }
        in.done();
        channels.recycle(rx);
        datagramsReceived++;
        bytesReceived += n;
        ctx.consume(costs.copyNs(copied));
        return copied;
    }

    /** Source address of the last datagram received. */
    public int lastSourceIp() {
        return lastSourceIp;
    }

    public int lastSourcePort() {
        return lastSourcePort;
    }

    /** Payload length of the last datagram received (may exceed what was copied). */
    public int lastLength() {
        return lastLength;
    }

    /** Ends the flow: the port, the filters and the driver binding are released. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            inet.flowManager().close(flow);
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("UDP socket on port " + localPort + " is closed");
        }
    }

    // ------------------------------------------------------------------------------------------
    // Figures
    // ------------------------------------------------------------------------------------------

    public long datagramsSent() {
        return datagramsSent;
    }

    public long bytesSent() {
        return bytesSent;
    }

    /** Time spent in {@link #send} waiting for a transmit buffer. */
    public long sendWaitNs() {
        return sendWaitNs;
    }

    public long datagramsReceived() {
        return datagramsReceived;
    }

    /** The receive side's checks, for accounting and tests. */
    public UdpInput input() {
        return in;
    }

    /**
     * Counters: sent and received, and every receive drop by reason (IP layer then UDP layer), in
     * a stable order; zero drops are left out.
     */
    public Map<String, Long> counters() {
        Map<String, Long> m = new LinkedHashMap<>();
        m.put("datagrams_sent", datagramsSent);
        m.put("bytes_sent", bytesSent);
        m.put("frames_sent", framesSent);
        m.put("send_timeouts", sendTimeouts);
        m.put("unreachable", unreachable);
        m.put("send_wait_ns", sendWaitNs);
        m.put("datagrams_received", datagramsReceived);
        m.put("bytes_received", bytesReceived);
        m.put("truncated", truncated);
        m.put("frames_received", in.ip().frames());
        m.put("reassembled", in.ip().reassembled());
        in.ip().drops().nonZero().forEach((k, v) -> m.put("drop_" + k, v));
        in.drops().nonZero().forEach((k, v) -> m.put("drop_" + k, v));
        return m;
    }
}

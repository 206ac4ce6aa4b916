package nemesis.inet.flowman;

import nemesis.atropos.AdmissionException;
import nemesis.atropos.Qos;
import nemesis.drivers.ClientChannels;
import nemesis.inet.HostConfig;
import nemesis.kernel.DomainContext;
import nemesis.kernel.Idc;
import nemesis.kernel.Kernel;

/**
 * A client domain's binding to the flow manager: every call is an IDC call served by the flow
 * manager's own thread, on its own CPU time, while the caller waits.
 *
 * <p>A flow is one pair of channels to the driver ({@link ClientChannels}, opened by the client,
 * its memory) carrying one local port: one UDP socket, one TCP connection, one pinger.
 */
public final class FlowManagerClient {
    private final Idc.Binding<FlowRequest, Object> idc;
    private final HostConfig config;
    private final DomainContext self;

    private FlowManagerClient(DomainContext self, Idc.Binding<FlowRequest, Object> idc) {
        this.self = self;
        this.idc = idc;
        this.config = (HostConfig) idc.call(new FlowRequest.Config());
    }

    /** Binds the calling domain to the flow manager, waiting until {@code untilNs} for it to be up. */
    @SuppressWarnings("unchecked")
    public static FlowManagerClient connect(DomainContext self, long untilNs) {
        Idc<FlowRequest, Object> service;
        while ((service = self.lookup(FlowManager.SERVICE, Idc.class)) == null) {
            if (self.nowNs() >= untilNs) {
                throw new IllegalStateException("no flow manager is running");
            }
            self.sleepUntil(Math.min(untilNs, self.nowNs() + 100_000L));
        }
        return new FlowManagerClient(self, service.bind(self));
    }

    public static FlowManagerClient connect(DomainContext self) {
        return connect(self, Kernel.NEVER);
    }

    /** The host's addresses. */
    public HostConfig config() {
        return config;
    }

    /** The domain of the network driver (the slave of every client channel). */
    public DomainContext driverDomain() {
        return self.lookup(FlowManager.DRIVER_DOMAIN, DomainContext.class);
    }

    /**
     * Registers a flow's channels with the driver, with transmit reservation {@code txQos}.
     *
     * @throws AdmissionException if the transmit reservation does not fit
     */
    public int open(ClientChannels channels, Qos txQos) throws AdmissionException {
        Object r = idc.call(new FlowRequest.Open(channels, txQos));
        if (r instanceof AdmissionException e) {
            throw new AdmissionException(e.getMessage(), e.requestedPpb(), e.freePpb(), e.capPpb());
        }
        return (Integer) r;
    }

    /**
     * Takes local {@code port} of {@code protocol} (6 TCP, 17 UDP, 1 ICMP echo identifier) for the
     * flow; 0 takes a free one from 16000 up. The flow may then send from it, and receives what
     * comes to it.
     *
     * @return the port
     * @throws PortInUseException if the port is taken
     */
    public int bind(int flow, int protocol, int port) {
        Object r = idc.call(new FlowRequest.Bind(flow, protocol, port));
        if (r instanceof PortInUseException e) {
            throw new PortInUseException(e.getMessage());
        }
        return (Integer) r;
    }

    /** Narrows the flow to one remote end: it receives only from {@code remoteIp:remotePort}. */
    public void connect(int flow, int remoteIp, int remotePort) {
        Object r = idc.call(new FlowRequest.Connect(flow, remoteIp, remotePort));
        if (r instanceof RuntimeException e) {
            throw e;
        }
    }

    /**
     * Makes {@code flow} a connection accepted on {@code listener}'s TCP port, from
     * {@code remoteIp:remotePort}: it sends from that port and receives that remote end's segments.
     */
    public void accept(int flow, int listener, int remoteIp, int remotePort) {
        Object r = idc.call(new FlowRequest.Accept(flow, listener, remoteIp, remotePort));
        if (r instanceof RuntimeException e) {
            throw e;
        }
    }

    /** The Ethernet address to send to for {@code ip} (its own, or the gateway's), or -1 if unreachable. */
    public long resolve(int ip) {
        return (Long) idc.call(new FlowRequest.Resolve(ip));
    }

    public void setTxQos(int flow, Qos qos) throws AdmissionException {
        Object r = idc.call(new FlowRequest.SetTxQos(flow, qos));
        if (r instanceof AdmissionException e) {
            throw new AdmissionException(e.getMessage(), e.requestedPpb(), e.freePpb(), e.capPpb());
        }
    }

    /** Ends the flow: its ports, filters and driver binding are released. */
    public void close(int flow) {
        idc.call(new FlowRequest.Close(flow));
    }
}

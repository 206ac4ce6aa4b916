package nemesis.linux;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * A service running on the Linux side of a TAP run (see {@link LinuxServiceSpec} for what each
 * does). {@link #start()} at the run's start (a service with a start time waits for it),
 * {@link #stop()} at its end, then {@link #figures()}, which cover the same measured window as the
 * emulator's where the service measures itself (from {@link Context#measureFromNs()}); the
 * figures of iperf and ping are the tools' own reports.
 */
public interface LinuxService {
    /** The emulated Nemesis host's address on a TAP link. */
    Inet4Address NEMESIS_HOST = v4("198.51.100.1");
    /** The address of the Linux side of a TAP link. */
    Inet4Address LINUX_PEER = v4("198.51.100.2");

    /** The key of its figures ({@link LinuxServiceSpec#name()}, made unique). */
    String name();

    String program();

    /**
     * Starts it: when this returns, a listener listens (a sink's socket is bound, iperf's server
     * is in LISTEN); a sender waits on a thread for its start time.
     */
    void start() throws IOException;

    /** Stops it (senders first finish what they are writing, tools print their final report). Idempotent. */
    void stop();

    /** Its figures, in a stable order; any time, final after {@link #stop()}. */
    Map<String, Object> figures();

    /**
     * Where and when services run.
     *
     * @param ns            the namespace they run in
     * @param local         the address they bind every socket to: an address of the namespace, which the
     *                      root namespace does not have (see {@link #checked()})
     * @param remote        the address senders and ping reach: the Nemesis host's
     * @param clock         the time now in emulator nanoseconds (the emulator kernel's real clock),
     *                      negative until the emulator's run starts
     * @param measureFromNs the end of the warmup: sinks count from then on, as the emulator's do
     */
    record Context(LinuxNamespace ns, Inet4Address local, Inet4Address remote, LongSupplier clock,
                   long measureFromNs) {
        public Context {
            Objects.requireNonNull(ns, "ns");
            Objects.requireNonNull(local, "local");
            Objects.requireNonNull(remote, "remote");
            Objects.requireNonNull(clock, "clock");
        }

        /** The TAP run's: the peer's address 198.51.100.2, the Nemesis host 198.51.100.1. */
        public static Context tap(LinuxNamespace ns, LongSupplier clock, long measureFromNs) {
            return new Context(ns, LINUX_PEER, NEMESIS_HOST, clock, measureFromNs);
        }

        /** The same with another local address (e.g. a sink's, in a test with both ends in one namespace). */
        public Context withLocal(Inet4Address other) {
            return new Context(ns, other, remote, clock, measureFromNs);
        }

        /**
         * This context, after checking that {@code local} is an address of the namespace and not one
         * of the root namespace (so that a socket bound to it cannot be in the root namespace).
         */
        public Context checked() throws IOException {
            String a = local.getHostAddress();
            List<String> inside = ns.addresses();
            if (!inside.contains(a)) {
                throw new IOException(a + " is not an address of " + ns.name() + " (it has " + inside + ")");
            }
            if (LinuxNamespace.rootAddresses().contains(a)) {
                throw new IOException(a + " is an address of the root namespace too: services bind only to addresses "
                        + "the root namespace does not have");
            }
            return this;
        }

        /** The emulator's time; 0 before its run starts. */
        long now() {
            return Math.max(0, clock.getAsLong());
        }

        /** Whether the emulator's run has started: its clock reads a negative time before. */
        boolean runStarted() {
            return clock.getAsLong() >= 0;
        }
    }

    /** A running service for {@code spec}, named {@code name} (null: the spec's). Not started. */
    static LinuxService create(LinuxServiceSpec spec, Context ctx, String name) {
        String n = name != null ? name : spec instanceof LinuxServiceSpec.Ping
                ? "ping:" + ctx.remote().getHostAddress() : spec.name();
        return switch (spec) {
            case LinuxServiceSpec.TcpSink s -> new TcpSinkService(s, ctx, n);
            case LinuxServiceSpec.TcpSend s -> new TcpSendService(s, ctx, n);
            case LinuxServiceSpec.UdpSink s -> new UdpSinkService(s, ctx, n);
            case LinuxServiceSpec.UdpEcho s -> new UdpEchoService(s, ctx, n);
            case LinuxServiceSpec.IperfServer s -> new IperfServerService(s, ctx, n);
            case LinuxServiceSpec.IperfClient s -> new IperfClientService(s, ctx, n);
            case LinuxServiceSpec.Ping s -> new PingService(s, ctx, n);
            case LinuxServiceSpec.NcSink s -> new NcService.Sink(s, ctx, n);
            case LinuxServiceSpec.NcSend s -> new NcService.Send(s, ctx, n);
        };
    }

    static LinuxService create(LinuxServiceSpec spec, Context ctx) {
        return create(spec, ctx, null);
    }

    private static Inet4Address v4(String a) {
        try {
            return (Inet4Address) InetAddress.getByName(a);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }
}

package nemesis.linux;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * What the services share: their context, a stop flag, errors, waiting for a start time on the
 * emulator's clock, and sockets that are opened only on a thread verified to be in the namespace
 * and bound to the namespace's address before anything else.
 */
abstract class ServiceBase implements LinuxService {
    /** Longest sleep while waiting for a start time, so that a stop is seen promptly. */
    private static final long NAP_NS = TimeUnit.MILLISECONDS.toNanos(20);
    /**
     * A sender whose connect is refused (the emulated host's domain has not listened yet: its
     * flow manager may answer before the listener is in place) tries again, as a client waiting
     * for its server would: the simulated peer's policy, every 20 ms for up to 2 s.
     */
    static final int REFUSED_RETRIES = nemesis.inet.peer.SimPeer.REFUSED_RETRIES;
    static final long REFUSED_RETRY_NS = nemesis.inet.peer.SimPeer.REFUSED_RETRY_NS;
    /** Connects refused before one succeeded (or before giving up). */
    volatile int refused;
    /** While the emulator is still being set up: short, so a start at time 0 is prompt. */
    private static final long START_NAP_NS = TimeUnit.MILLISECONDS.toNanos(1);

    final Context ctx;
    final String name;
    final List<String> errors = Collections.synchronizedList(new ArrayList<>());
    volatile boolean stopping;
    private boolean started;

    ServiceBase(Context ctx, String name) {
        this.ctx = ctx;
        this.name = name;
    }

    @Override
    public final String name() {
        return name;
    }

    @Override
    public final synchronized void start() throws IOException {
        if (started) {
            throw new IllegalStateException(name + " started twice");
        }
        started = true;
        ctx.ns().onClose(this::stop);
        begin();
    }

    abstract void begin() throws IOException;

    long now() {
        return ctx.now();
    }

    /**
     * Waits until the emulator's run has started and its clock reads {@code emulatorNs}: false if
     * stopped first. (A sender that started during the set-up would reach a host not yet running.)
     */
    boolean waitUntil(long emulatorNs) {
        while (!stopping) {
            long d = ctx.runStarted() ? emulatorNs - now() : START_NAP_NS;
            if (d <= 0) {
                return true;
            }
            LockSupport.parkNanos(Math.min(d, NAP_NS));
            if (Thread.interrupted()) {
                return false;
            }
        }
        return false;
    }

    void error(String what) {
        errors.add(what);
    }

    void putErrors(Map<String, Object> m) {
        synchronized (errors) {
            if (!errors.isEmpty()) {
                m.put("errors", List.copyOf(errors));
            }
        }
    }

    /** A listening TCP socket on the context's address, opened on the calling (namespace) thread. */
    /**
     * Opens a socket on one of the namespace's threads (sockets belong to the namespace of the
     * thread that makes them); a failure says what could not be done, e.g. "cannot bind A:P".
     */
    <T> T openInNamespace(String what, java.util.concurrent.Callable<T> open) throws IOException {
        try {
            return ctx.ns().call(open);
        } catch (IOException e) {
            throw new IOException(name + ": " + what + ": " + e.getMessage(), e);
        } catch (Exception e) {
            throw new IOException(name + ": " + e, e);
        }
    }

    ServerSocket listen(int port) throws IOException {
        ctx.ns().checkCurrentThread();
        ServerSocket s = new ServerSocket();
        try {
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress(ctx.local(), port), 128);
            return s;
        } catch (IOException e) {
            s.close();
            throw e;
        }
    }

    /** A TCP connection from the context's address to the remote one, opened on the calling (namespace) thread. */
    Socket connect(int port) throws IOException {
        ctx.ns().checkCurrentThread();
        for (int tries = 0; ; tries++) {
            Socket s = new Socket();
            try {
                s.bind(new InetSocketAddress(ctx.local(), 0));
                s.connect(new InetSocketAddress(ctx.remote(), port), 10_000);
                return s;
            } catch (java.net.ConnectException e) {
                s.close();
                // Refused: the emulated host is not listening yet (its domain still setting up).
                if (tries == REFUSED_RETRIES || stopping || !"Connection refused".equals(e.getMessage())) {
                    throw e;
                }
                refused++;
                LockSupport.parkNanos(REFUSED_RETRY_NS);
            } catch (IOException e) {
                s.close();
                throw e;
            }
        }
    }

    /** A UDP socket bound to the context's address and {@code port}, opened on the calling (namespace) thread. */
    DatagramSocket datagram(int port) throws IOException {
        ctx.ns().checkCurrentThread();
        DatagramSocket d = new DatagramSocket(null);
        try {
            d.bind(new InetSocketAddress(ctx.local(), port));
            return d;
        } catch (IOException e) {
            d.close();
            throw e;
        }
    }

    static void join(Thread t, long ms) {
        if (t == null || t == Thread.currentThread()) {
            return;
        }
        try {
            t.join(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static void closeQuietly(AutoCloseable c) {
        if (c != null) {
            try {
                c.close();
            } catch (Exception e) {
                // closing at the end: nothing to do about it
            }
        }
    }

    @Override
    public String toString() {
        return name;
    }
}

package nemesis.linux;

import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import nemesis.inet.StreamMeter;

/**
 * {@code tcp_sink} on Linux: a listening socket of the kernel's TCP in the namespace; every
 * connection read to its end on a thread of its own, each chunk metered (and checked against the
 * stream pattern at its offset) when {@code read} returns it, then closed (our FIN after theirs).
 * The kernel's defaults are kept (no socket buffer sizes set: its autotuning is the Linux behaviour).
 */
final class TcpSinkService extends ServiceBase {
    private static final int CHUNK = 64 * 1024;

    private final LinuxServiceSpec.TcpSink spec;
    private final StreamMeter meter;
    private final List<Socket> connections = new CopyOnWriteArrayList<>();
    private final List<Thread> readers = new CopyOnWriteArrayList<>();
    private volatile ServerSocket server;
    private Thread acceptor;

    TcpSinkService(LinuxServiceSpec.TcpSink spec, Context ctx, String name) {
        super(ctx, name);
        this.spec = spec;
        this.meter = new StreamMeter(spec.verifyPattern(), ctx.measureFromNs());
    }

    @Override
    public String program() {
        return "tcp_sink";
    }

    @Override
    void begin() throws IOException {
        server = openInNamespace("cannot listen on " + ctx.local().getHostAddress() + ":" + spec.port(),
                () -> listen(spec.port()));
        acceptor = ctx.ns().startThread(name + "-accept", this::acceptLoop);
    }

    private void acceptLoop() {
        ServerSocket s = server;
        while (!stopping) {
            Socket c;
            try {
                c = s.accept();
            } catch (IOException e) {
                if (!stopping) {
                    error("accept: " + e.getMessage());
                }
                return;
            }
            synchronized (meter) {
                meter.connection();
            }
            connections.add(c);
            try {
                readers.add(ctx.ns().startThread(name + "-read-" + c.getPort(), () -> read(c)));
            } catch (IOException | RuntimeException e) {
                error("reader for " + c.getRemoteSocketAddress() + ": " + e.getMessage());
                closeQuietly(c);
            }
        }
    }

    private void read(Socket c) {
        byte[] b = new byte[CHUNK];
        long offset = 0;
        try (c; InputStream in = c.getInputStream()) {
            int n;
            while ((n = in.read(b)) > 0) {
                long now = now();
                synchronized (meter) {
                    meter.record(b, 0, n, offset, now);
                }
                offset += n;
            }
            if (n < 0) {
                synchronized (meter) {
                    meter.fin();
                }
            }
        } catch (SocketException e) {
            if (!stopping) {
                error("read from " + c.getRemoteSocketAddress() + ": " + e.getMessage());
            }
        } catch (IOException e) {
            error("read from " + c.getRemoteSocketAddress() + ": " + e.getMessage());
        }
    }

    @Override
    public void stop() {
        if (stopping) {
            return;
        }
        stopping = true;
        closeQuietly(server);
        for (Socket c : connections) {
            closeQuietly(c);
        }
        join(acceptor, 2_000);
        for (Thread t : readers) {
            join(t, 2_000);
        }
    }

    @Override
    public Map<String, Object> figures() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("program", "tcp_sink");
        m.put("port", spec.port());
        synchronized (meter) {
            m.putAll(meter.figures());
        }
        putErrors(m);
        return m;
    }
}

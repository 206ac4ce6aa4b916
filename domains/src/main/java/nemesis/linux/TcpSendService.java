package nemesis.linux;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.util.LinkedHashMap;
import java.util.Map;
import nemesis.inet.StreamPattern;

/**
 * {@code tcp_send} on Linux: at its start time, a connection of the kernel's TCP from the
 * namespace's address to the Nemesis host's port, written as fast as the kernel takes it, then
 * closed (FIN), reading until the Nemesis side closes too. {@code bytes_written} counts what
 * {@code write} accepted (what the kernel will deliver unless the connection fails).
 */
final class TcpSendService extends ServiceBase {
    private static final int CHUNK = 64 * 1024;
    /** How long a stop waits for the write under way before closing the socket under it. */
    private static final long GRACE_MS = 500;

    private final LinuxServiceSpec.TcpSend spec;
    private volatile Socket socket;
    private volatile long written;
    private volatile String state = "not started";
    private volatile String closed;
    private volatile long connectNs = -1;
    private volatile long connectedNs = -1;
    private volatile long finishedNs = -1;
    private Thread thread;

    TcpSendService(LinuxServiceSpec.TcpSend spec, Context ctx, String name) {
        super(ctx, name);
        this.spec = spec;
    }

    @Override
    public String program() {
        return "tcp_send";
    }

    @Override
    void begin() throws IOException {
        thread = ctx.ns().startThread(name, this::run);
    }

    private void run() {
        if (!waitUntil(spec.startNs())) {
            return;
        }
        state = "connecting";
        connectNs = now();
        Socket s;
        try {
            s = connect(spec.dstPort());
        } catch (IOException e) {
            state = "failed";
            closed = "connect failed";
            error("connect to " + ctx.remote().getHostAddress() + ":" + spec.dstPort() + ": " + e.getMessage());
            finishedNs = now();
            return;
        }
        socket = s;
        connectedNs = now();
        state = "established";
        byte[] b = new byte[CHUNK];
        try (s) {
            OutputStream out = s.getOutputStream();
            long w = 0;
            while (!stopping && (spec.bytes() == 0 || w < spec.bytes())) {
                int n = (int) (spec.bytes() == 0 ? CHUNK : Math.min(CHUNK, spec.bytes() - w));
                if (spec.pattern()) {
                    StreamPattern.fill(b, 0, n, w);
                }
                out.write(b, 0, n);
                w += n;
                written = w;
            }
            s.shutdownOutput();
            state = "fin_wait";
            closed = stopping && (spec.bytes() == 0 || w < spec.bytes()) ? "stopped" : "done";
            InputStream in = s.getInputStream();
            while (in.read(b) >= 0) {
                // the Nemesis side sends nothing; wait for its FIN
            }
            state = "closed";
        } catch (IOException e) {
            if (stopping) {
                closed = closed == null ? "stopped" : closed;
                state = "closed";
            } else {
                state = "failed";
                closed = "error";
                error("after " + written + " bytes: " + e.getMessage());
            }
        }
        finishedNs = now();
    }

    @Override
    public void stop() {
        if (stopping) {
            return;
        }
        stopping = true;
        if (thread != null) {
            thread.interrupt(); // ends a wait for the start time
        }
        join(thread, GRACE_MS);
        closeQuietly(socket);
        join(thread, 2_000);
    }

    @Override
    public Map<String, Object> figures() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("program", "tcp_send");
        m.put("port", spec.dstPort());
        m.put("bytes_written", written);
        m.put("state", state);
        if (closed != null) {
            m.put("closed", closed);
        }
        m.put("connect_ns", connectNs);
        m.put("connected_ns", connectedNs);
        if (refused > 0) {
            m.put("connect_refused", refused);
        }
        m.put("finished_ns", finishedNs);
        putErrors(m);
        return m;
    }
}

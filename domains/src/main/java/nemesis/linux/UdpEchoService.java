package nemesis.linux;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.util.LinkedHashMap;
import java.util.Map;

/** {@code udp_echo} on Linux: every datagram arriving on the port goes back where it came from. */
final class UdpEchoService extends ServiceBase {
    private final LinuxServiceSpec.UdpEcho spec;
    private volatile DatagramSocket socket;
    private volatile long echoed;
    private volatile long failed;
    private Thread thread;

    UdpEchoService(LinuxServiceSpec.UdpEcho spec, Context ctx, String name) {
        super(ctx, name);
        this.spec = spec;
    }

    @Override
    public String program() {
        return "udp_echo";
    }

    @Override
    void begin() throws IOException {
        socket = openInNamespace("cannot bind " + ctx.local().getHostAddress() + ":" + spec.port(),
                () -> datagram(spec.port()));
        thread = ctx.ns().startThread(name, this::run);
    }

    private void run() {
        byte[] b = new byte[65536];
        DatagramPacket p = new DatagramPacket(b, b.length);
        DatagramSocket s = socket;
        while (!stopping) {
            try {
                p.setLength(b.length);
                s.receive(p);
            } catch (IOException e) {
                if (!stopping) {
                    error("receive: " + e.getMessage());
                }
                return;
            }
            try {
                s.send(p); // the packet's address is the sender's
                echoed++;
            } catch (IOException e) {
                failed++;
            }
        }
    }

    @Override
    public void stop() {
        if (stopping) {
            return;
        }
        stopping = true;
        closeQuietly(socket);
        join(thread, 2_000);
    }

    @Override
    public Map<String, Object> figures() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("program", "udp_echo");
        m.put("port", spec.port());
        m.put("echoed", echoed);
        m.put("failed", failed);
        putErrors(m);
        return m;
    }
}

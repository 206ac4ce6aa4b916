package nemesis.linux;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.util.LinkedHashMap;
import java.util.Map;
import nemesis.inet.SinkMeter;

/**
 * {@code udp_sink} on Linux: a UDP socket of the kernel in the namespace, every datagram metered
 * (and checked against its {@link nemesis.inet.Pattern}) when {@code receive} returns it. The
 * kernel's default receive buffer is kept: what it drops under load is what Linux drops.
 */
final class UdpSinkService extends ServiceBase {
    private final LinuxServiceSpec.UdpSink spec;
    private final SinkMeter meter;
    private volatile DatagramSocket socket;
    private Thread thread;

    UdpSinkService(LinuxServiceSpec.UdpSink spec, Context ctx, String name) {
        super(ctx, name);
        this.spec = spec;
        this.meter = new SinkMeter(spec.verifyPattern(), ctx.measureFromNs());
    }

    @Override
    public String program() {
        return "udp_sink";
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
            long now = now();
            synchronized (meter) {
                meter.record(b, 0, p.getLength(), now);
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
        m.put("program", "udp_sink");
        m.put("port", spec.port());
        synchronized (meter) {
            m.putAll(meter.figures());
        }
        putErrors(m);
        return m;
    }
}

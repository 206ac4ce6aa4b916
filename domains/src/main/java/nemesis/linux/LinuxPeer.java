package nemesis.linux;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The services of a TAP run's Linux side, as {@link nemesis.inet.peer.SimPeer} holds the simulated
 * peer's: created from their specs (names made unique with {@code #2}, {@code #3}... as the sim
 * peer does), started together, stopped together, reported together.
 */
public final class LinuxPeer implements AutoCloseable {
    private final LinuxService.Context ctx;
    private final List<LinuxService> services = new ArrayList<>();
    private boolean stopped;

    public LinuxPeer(LinuxService.Context ctx, List<? extends LinuxServiceSpec> specs) {
        this.ctx = ctx;
        for (LinuxServiceSpec s : specs) {
            String base = s instanceof LinuxServiceSpec.Ping ? "ping:" + ctx.remote().getHostAddress() : s.name();
            String unique = base;
            for (int n = 2; named(unique); n++) {
                unique = base + "#" + n;
            }
            services.add(LinuxService.create(s, ctx, unique));
        }
    }

    private boolean named(String n) {
        for (LinuxService s : services) {
            if (s.name().equals(n)) {
                return true;
            }
        }
        return false;
    }

    public List<LinuxService> services() {
        return Collections.unmodifiableList(services);
    }

    /** Starts every service, in order; if one cannot start, stops those started and throws. */
    public void start() throws IOException {
        List<LinuxService> started = new ArrayList<>();
        for (LinuxService s : services) {
            try {
                s.start();
                started.add(s);
            } catch (IOException | RuntimeException e) {
                for (LinuxService x : started.reversed()) {
                    x.stop();
                }
                throw e;
            }
        }
    }

    /** Stops every service, senders before listeners (so that their last bytes are counted). Idempotent. */
    public void stop() {
        if (stopped) {
            return;
        }
        stopped = true;
        List<LinuxService> order = new ArrayList<>();
        for (LinuxService s : services) {
            if (!isListener(s)) {
                order.add(s);
            }
        }
        for (LinuxService s : services) {
            if (isListener(s)) {
                order.add(s);
            }
        }
        for (LinuxService s : order) {
            s.stop();
        }
    }

    private static boolean isListener(LinuxService s) {
        return switch (s.program()) {
            case "tcp_sink", "udp_sink", "udp_echo", "iperf_server", "nc_sink" -> true;
            default -> false;
        };
    }

    @Override
    public void close() {
        stop();
    }

    /**
     * Every service's figures by name, in the order declared, then {@code host}: the namespace's
     * non-zero IP, ICMP, TCP and UDP counters ({@code /proc/net/snmp} inside it), like the
     * simulated peer's stack counters.
     */
    public Map<String, Object> report() {
        Map<String, Object> m = new LinkedHashMap<>();
        for (LinuxService s : services) {
            m.put(s.name(), s.figures());
        }
        if (!ctx.ns().isClosed()) {
            try {
                m.put("host", snmp(ctx.ns()));
            } catch (Exception e) {
                m.put("host", Map.of("error", String.valueOf(e.getMessage())));
            }
        }
        return m;
    }

    /** The namespace's SNMP counters, non-zero ones, as {@code {Tcp: {RetransSegs: 3, ...}, ...}}. */
    public static Map<String, Map<String, Long>> snmp(LinuxNamespace ns) throws Exception {
        List<String> lines = ns.call(() -> Files.readAllLines(Path.of("/proc/thread-self/net/snmp")));
        Map<String, Map<String, Long>> out = new LinkedHashMap<>();
        for (int i = 0; i + 1 < lines.size(); i += 2) {
            String[] keys = lines.get(i).split("\\s+");
            String[] values = lines.get(i + 1).split("\\s+");
            if (keys.length != values.length || !keys[0].equals(values[0])) {
                continue;
            }
            String proto = keys[0].substring(0, keys[0].length() - 1);
            Map<String, Long> counters = new LinkedHashMap<>();
            for (int k = 1; k < keys.length; k++) {
                try {
                    long v = Long.parseLong(values[k]);
                    if (v != 0 && !keys[k].equals("Forwarding") && !keys[k].equals("DefaultTTL")
                            && !keys[k].startsWith("Rto") && !keys[k].equals("MaxConn")) {
                        counters.put(keys[k], v);
                    }
                } catch (NumberFormatException e) {
                    // not a counter
                }
            }
            if (!counters.isEmpty()) {
                out.merge(proto, counters, (a, b) -> {
                    a.putAll(b);
                    return a;
                });
            }
        }
        return out;
    }
}

package nemesis.programs;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/** The programs a scenario can name. Later layers add theirs (udp_send, tcp_send, ...). */
public final class Programs {
    private static final Map<String, ProgramInfo> CATALOG;

    static {
        Map<String, ProgramInfo> m = new LinkedHashMap<>();
        for (ProgramInfo p : new ProgramInfo[] {Carnage.INFO, Periodic.INFO, Idle.INFO, Crash.INFO, UdpSend.INFO,
                UdpSink.INFO, Ping.INFO, TcpSend.INFO, TcpSink.INFO}) {
            m.put(p.name(), p);
        }
        CATALOG = Collections.unmodifiableMap(m);
    }

    private Programs() {
    }

    /** Every known program, in a stable order. */
    public static Map<String, ProgramInfo> catalog() {
        return CATALOG;
    }

    public static ProgramInfo find(String name) {
        return CATALOG.get(name);
    }

    /** Programs that talk to the network: a scenario running one needs a link. */
    private static final java.util.Set<String> NETWORK =
            java.util.Set.of("udp_send", "udp_sink", "ping", "tcp_send", "tcp_sink");

    public static boolean usesNetwork(String program) {
        return NETWORK.contains(program);
    }
}

package nemesis.programs;

import nemesis.inet.InetMod;
import nemesis.kernel.DomainContext;
import nemesis.wire.Ipv4Address;

/**
 * A host, and a port, as programs take them: {@code peer} (the simulated peer, whose address the
 * set-up publishes under {@link InetMod#PEER_IP_KEY}) or an IPv4 address.
 *
 * @param port 1..65535, or 0 for a host alone
 */
public record Endpoint(String host, int port) {
    public static final String PEER = "peer";

    /** {@code HOST:PORT}. */
    public static Endpoint parse(String text) {
        String t = text.strip();
        int colon = t.lastIndexOf(':');
        if (colon < 0) {
            throw new IllegalArgumentException("'" + t + "' is not HOST:PORT (HOST is peer or an IPv4 address)");
        }
        Endpoint e = host(t.substring(0, colon));
        int port;
        try {
            port = Integer.parseInt(t.substring(colon + 1));
        } catch (NumberFormatException x) {
            port = -1;
        }
        if (port < 1 || port > 0xFFFF) {
            throw new IllegalArgumentException("'" + t + "': the port must be 1..65535");
        }
        return new Endpoint(e.host, port);
    }

    /** A host alone: {@code peer} or an IPv4 address. */
    public static Endpoint host(String text) {
        String h = text.strip();
        if (!h.equals(PEER)) {
            Ipv4Address.parse(h); // says what is wrong
        }
        return new Endpoint(h, 0);
    }

    /** The address, looked up for {@code peer}. */
    public int resolve(DomainContext ctx) {
        return host.equals(PEER) ? InetMod.peerIp(ctx) : Ipv4Address.parse(host);
    }

    @Override
    public String toString() {
        return port == 0 ? host : host + ":" + port;
    }
}

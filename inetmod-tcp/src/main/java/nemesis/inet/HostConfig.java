package nemesis.inet;

import nemesis.wire.Ipv4Address;

/**
 * The addresses of the emulated host's one interface.
 *
 * @param gateway the next hop for addresses outside {@code ip/prefixLength}, or 0 for none
 */
public record HostConfig(int ip, int prefixLength, int gateway, long mac, int mtu) {

    public HostConfig {
        if (prefixLength < 0 || prefixLength > 32) {
            throw new IllegalArgumentException("prefix length must be 0..32: " + prefixLength);
        }
        if (mtu < 68) {
            throw new IllegalArgumentException("an IPv4 MTU is at least 68: " + mtu);
        }
    }

    public int netmask() {
        return prefixLength == 0 ? 0 : -1 << (32 - prefixLength);
    }

    public boolean onLink(int addr) {
        return (addr & netmask()) == (ip & netmask());
    }

    /** Where a datagram for {@code dst} goes first: {@code dst} itself on the link, else the gateway (0: none). */
    public int nextHop(int dst) {
        return onLink(dst) || dst == -1 ? dst : gateway;
    }

    @Override
    public String toString() {
        return Ipv4Address.toString(ip) + "/" + prefixLength + " mtu " + mtu;
    }
}

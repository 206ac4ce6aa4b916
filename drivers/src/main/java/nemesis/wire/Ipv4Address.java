package nemesis.wire;

/**
 * An IPv4 address held in an {@code int}, first octet most significant ({@code 10.0.0.1} is
 * {@code 0x0A00_0001}). Addresses above 127.255.255.255 are negative: compare them with
 * {@link Integer#compareUnsigned}, never with {@code <}. Only {@link #parse} and
 * {@link #toString(int)} deal in strings.
 */
public final class Ipv4Address {
    /** 0.0.0.0: "this host" as a source (RFC 1122 §3.2.1.3), the unspecified address. */
    public static final int ANY = 0;
    /** 255.255.255.255, the limited broadcast (RFC 919, RFC 1122 §3.2.1.3). */
    public static final int BROADCAST = 0xFFFF_FFFF;
    /** 127.0.0.1. */
    public static final int LOOPBACK = 0x7F00_0001;

    private Ipv4Address() {
    }

    /**
     * Parses dotted decimal, exactly four octets 0..255 ({@code "10.0.0.1"}). Leading zeros are
     * refused: {@code 010} is octal to some parsers and decimal to others.
     *
     * @throws IllegalArgumentException naming the text if it is not an IPv4 address
     */
    public static int parse(String text) {
        int addr = 0;
        int i = 0;
        int n = text.length();
        for (int octet = 0; octet < 4; octet++) {
            int start = i;
            int value = 0;
            while (i < n && i - start < 3 && text.charAt(i) >= '0' && text.charAt(i) <= '9') {
                value = value * 10 + (text.charAt(i) - '0');
                i++;
            }
            if (i == start || value > 255 || (i - start > 1 && text.charAt(start) == '0')) {
                throw bad(text);
            }
            addr = (addr << 8) | value;
            if (octet < 3) {
                if (i >= n || text.charAt(i) != '.') {
                    throw bad(text);
                }
                i++;
            }
        }
        if (i != n) {
            throw bad(text);
        }
        return addr;
    }

    private static IllegalArgumentException bad(String text) {
        return new IllegalArgumentException("not an IPv4 address (want four octets 0..255 like 10.0.0.1): \"" + text + "\"");
    }

    /** {@code "10.0.0.1"}. Allocates. */
    public static String toString(int addr) {
        return (addr >>> 24) + "." + ((addr >>> 16) & 0xFF) + "." + ((addr >>> 8) & 0xFF) + "." + (addr & 0xFF);
    }

    /** The network mask of a prefix length 0..32 ({@code 24} → 255.255.255.0). */
    public static int mask(int prefixLength) {
        if (prefixLength < 0 || prefixLength > 32) {
            throw new IllegalArgumentException("prefix length must be 0..32: " + prefixLength);
        }
        // A shift by 32 is a shift by 0 in Java, hence the special case.
        return prefixLength == 0 ? 0 : -1 << (32 - prefixLength);
    }

    /** True if {@code addr} lies in {@code network/prefixLength} (10.0.0.7 in 10.0.0.0/24). */
    public static boolean matches(int addr, int network, int prefixLength) {
        int m = mask(prefixLength);
        return (addr & m) == (network & m);
    }

    /** The directed broadcast of a subnet (10.0.0.255 for 10.0.0.0/24; RFC 919). */
    public static int directedBroadcast(int network, int prefixLength) {
        return network | ~mask(prefixLength);
    }

    /** 255.255.255.255 only; see {@link #directedBroadcast} for a subnet's. */
    public static boolean isBroadcast(int addr) {
        return addr == BROADCAST;
    }

    /** Class D, 224.0.0.0/4 (RFC 1112 §4). */
    public static boolean isMulticast(int addr) {
        return (addr >>> 28) == 0xE;
    }

    /** 127.0.0.0/8 (RFC 1122 §3.2.1.3). */
    public static boolean isLoopback(int addr) {
        return (addr >>> 24) == 127;
    }

    public static boolean isUnspecified(int addr) {
        return addr == ANY;
    }
}

package nemesis.wire;

/**
 * A 48-bit IEEE 802 MAC address held in the low 48 bits of a {@code long}, first octet most
 * significant ({@code 02:00:00:00:00:01} is {@code 0x0200_0000_0001L}). Per-packet code passes
 * these primitives around; only {@link #parse} and {@link #toString(long)} deal in strings.
 */
public final class MacAddress {
    /** ff:ff:ff:ff:ff:ff. */
    public static final long BROADCAST = 0xFFFF_FFFF_FFFFL;
    /** 00:00:00:00:00:00, used as the unknown target hardware address of an ARP request (RFC 826). */
    public static final long ZERO = 0L;
    /** The bits a MAC address may use. */
    public static final long MASK = 0xFFFF_FFFF_FFFFL;

    private MacAddress() {
    }

    /**
     * Parses six hexadecimal octets separated by {@code :} or {@code -} ({@code "02:00:00:00:00:01"};
     * one or two digits per octet).
     *
     * @throws IllegalArgumentException naming the text if it is not a MAC address
     */
    public static long parse(String text) {
        long mac = 0;
        int octets = 0;
        int i = 0;
        int n = text.length();
        char separator = 0;
        while (true) {
            int start = i;
            int value = 0;
            while (i < n && i - start < 2 && Character.digit(text.charAt(i), 16) >= 0) {
                value = value * 16 + Character.digit(text.charAt(i), 16);
                i++;
            }
            if (i == start) {
                throw bad(text);
            }
            mac = (mac << 8) | value;
            octets++;
            if (octets == 6) {
                if (i != n) {
                    throw bad(text);
                }
                return mac;
            }
            if (i >= n || (text.charAt(i) != ':' && text.charAt(i) != '-')
                    || (separator != 0 && text.charAt(i) != separator)) {
                throw bad(text);
            }
            separator = text.charAt(i);
            i++;
        }
    }

    private static IllegalArgumentException bad(String text) {
        return new IllegalArgumentException("not a MAC address (want six hex octets like 02:00:00:00:00:01): \"" + text + "\"");
    }

    /** {@code "02:00:00:00:00:01"}: lower case, two digits per octet. Allocates. */
    public static String toString(long mac) {
        StringBuilder sb = new StringBuilder(17);
        for (int shift = 40; shift >= 0; shift -= 8) {
            int b = (int) (mac >>> shift) & 0xFF;
            sb.append(Character.forDigit(b >>> 4, 16)).append(Character.forDigit(b & 0xF, 16));
            if (shift > 0) {
                sb.append(':');
            }
        }
        return sb.toString();
    }

    /** True if the address uses only the low 48 bits. */
    public static boolean isValid(long mac) {
        return (mac & ~MASK) == 0;
    }

    public static boolean isBroadcast(long mac) {
        return mac == BROADCAST;
    }

    /** The I/G bit (least significant bit of the first octet, IEEE 802-2014 §8.2): group address. Broadcast is one. */
    public static boolean isMulticast(long mac) {
        return ((mac >>> 40) & 1) != 0;
    }

    /** The U/L bit (second bit of the first octet): locally administered, as our emulated NICs are. */
    public static boolean isLocallyAdministered(long mac) {
        return ((mac >>> 40) & 2) != 0;
    }
}

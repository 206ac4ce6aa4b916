package nemesis.drivers.tap;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A Linux TAP device: an Ethernet interface whose other end is a file descriptor. Frames written
 * to {@link #fd()} are received by the kernel as if they had arrived on the interface; frames the
 * kernel sends out of the interface are read from it. Made with {@code IFF_TAP | IFF_NO_PI} (whole
 * Ethernet frames, no packet-information prefix) in the calling thread's network namespace; it can
 * be moved to another namespace afterwards ({@code ip link set NAME netns NS}) and the descriptor
 * stays valid. The device is not persistent: {@link #close()} removes it, wherever it is.
 *
 * <p>The descriptor is blocking: read it after {@link Libc#pollIn} says it is readable. A write
 * never blocks (the kernel takes the frame at once, or drops it and counts it on the interface).
 */
public final class TunTap implements AutoCloseable {
    static final String DEVICE = "/dev/net/tun";

    private final String name;
    private final int fd;
    private boolean closed;

    private TunTap(String name, int fd) {
        this.name = name;
        this.fd = fd;
    }

    /**
     * Creates TAP device {@code ifName} (at most 15 bytes; a {@code %d} in it lets the kernel
     * number it: read the result from {@link #name()}).
     *
     * @throws IOException with a message saying what to do: not Linux, no {@code /dev/net/tun},
     *                     not root (no {@code CAP_NET_ADMIN}), the name taken or invalid
     */
    public static TunTap create(String ifName) throws IOException {
        byte[] nameBytes = ifName.getBytes(StandardCharsets.US_ASCII);
        if (ifName.isEmpty() || nameBytes.length >= Libc.IFNAMSIZ || !ifName.chars().allMatch(TunTap::nameChar)) {
            throw new IllegalArgumentException("bad interface name '" + ifName
                    + "': 1.." + (Libc.IFNAMSIZ - 1) + " ASCII letters, digits, '-', '_', '.' or %d");
        }
        if (!Libc.available()) {
            throw new IOException("TAP devices need Linux (this is " + System.getProperty("os.name") + ")");
        }
        int fd;
        try {
            fd = Libc.open(DEVICE, Libc.O_RDWR | Libc.O_CLOEXEC);
        } catch (Libc.LinuxError e) {
            throw new IOException(switch (e.errno()) {
                case 2 /* ENOENT */, 19 /* ENODEV */, 6 /* ENXIO */ -> "no " + DEVICE
                        + ": the tun driver is not loaded or the device node is missing"
                        + " (as root: modprobe tun; or mknod " + DEVICE + " c 10 200)";
                case 1 /* EPERM */, 13 /* EACCES */ -> "cannot open " + DEVICE
                        + ": permission denied (run as root, or with CAP_NET_ADMIN and access to the device)";
                default -> "cannot open " + DEVICE + ": " + e.getMessage();
            }, e);
        }
        try (Arena a = Arena.ofConfined()) {
            MemorySegment ifr = a.allocate(Libc.IFREQ_SIZE);
            MemorySegment.copy(nameBytes, 0, ifr, ValueLayout.JAVA_BYTE, 0, nameBytes.length);
            ifr.set(ValueLayout.JAVA_SHORT, Libc.IFNAMSIZ, (short) (Libc.IFF_TAP | Libc.IFF_NO_PI));
            try {
                Libc.ioctl(fd, Libc.TUNSETIFF, ifr);
            } catch (Libc.LinuxError e) {
                throw new IOException(switch (e.errno()) {
                    case 1 /* EPERM */, 13 /* EACCES */ -> "creating TAP device " + ifName
                            + " needs CAP_NET_ADMIN: run as root";
                    case 16 /* EBUSY */ -> "TAP device " + ifName + ": the name is taken by a device in use"
                            + " (or of another kind)";
                    case 22 /* EINVAL */ -> "TAP device " + ifName + ": the kernel refused the name or flags ("
                            + e.getMessage() + ")";
                    default -> "creating TAP device " + ifName + ": " + e.getMessage();
                }, e);
            }
            String actual = ifr.getString(0, StandardCharsets.US_ASCII);
            TunTap t = new TunTap(actual, fd);
            fd = -1; // owned by t now
            return t;
        } finally {
            if (fd >= 0) {
                Libc.close(fd);
            }
        }
    }

    /**
     * Whether this process can probably make TAP devices: Linux, {@code /dev/net/tun} present,
     * running as root. For tests to skip with a reason; {@link #create} gives the exact error.
     */
    public static String unavailableReason() {
        if (!Libc.available()) {
            return "not Linux";
        }
        if (!Files.exists(Path.of(DEVICE))) {
            return "no " + DEVICE;
        }
        if (!"root".equals(System.getProperty("user.name"))) {
            return "not root (TAP devices and network namespaces need CAP_NET_ADMIN)";
        }
        return null;
    }

    private static boolean nameChar(int c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_'
                || c == '.' || c == '%';
    }

    /** The interface's name as the kernel made it. */
    public String name() {
        return name;
    }

    /** The file descriptor: read frames from it, write frames to it. */
    public int fd() {
        return fd;
    }

    /** Closes the descriptor, which removes the device. Idempotent. */
    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            Libc.close(fd);
        }
    }

    @Override
    public String toString() {
        return "TunTap[" + name + ", fd " + fd + "]";
    }
}

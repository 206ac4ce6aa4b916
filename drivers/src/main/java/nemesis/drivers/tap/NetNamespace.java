package nemesis.drivers.tap;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A named Linux network namespace made with {@code ip netns add}: the far end of a {@link TunTap}
 * lives in one, so that nothing the emulator sends can reach a real network. {@link #close()}
 * deletes it ({@code ip netns del}); a non-persistent TAP device inside it disappears when its
 * descriptor is closed (close the {@link TunTap} first, then the namespace).
 *
 * <p>Names must start with {@value #PREFIX} so that leftovers of a crashed run can be recognised
 * and removed ({@code ip netns list | grep nemesis-}). Needs root and the {@code ip} command.
 */
public final class NetNamespace implements AutoCloseable {
    public static final String PREFIX = "nemesis-";
    private static final long COMMAND_TIMEOUT_S = 20;

    private final String name;
    private boolean closed;

    private NetNamespace(String name) {
        this.name = name;
    }

    /** Creates namespace {@code name} (it must start with {@value #PREFIX}) with its loopback up. */
    public static NetNamespace create(String name) throws IOException {
        if (!name.startsWith(PREFIX) || name.length() > 64 || !name.chars().allMatch(NetNamespace::nameChar)) {
            throw new IllegalArgumentException("namespace name must be " + PREFIX
                    + " followed by letters, digits, '-' or '_': " + name);
        }
        run("ip", "netns", "add", name);
        NetNamespace ns = new NetNamespace(name);
        try {
            ns.exec("ip", "link", "set", "lo", "up");
        } catch (IOException | RuntimeException e) {
            ns.close();
            throw e;
        }
        return ns;
    }

    public String name() {
        return name;
    }

    /**
     * Moves {@code device} (in this process's namespace) into this one, gives it {@code cidr}
     * (e.g. {@code 198.51.100.2/24}), disables IPv6 on it (no router solicitations, MLD reports or
     * duplicate address detection: no noise), optionally sets its MTU, and brings it up.
     *
     * @param mtu the device's MTU, or 0 to leave the default (1500)
     */
    public void adopt(String device, String cidr, int mtu) throws IOException {
        run("ip", "link", "set", device, "netns", name);
        exec("sysctl", "-q", "-w", "net.ipv6.conf." + device + ".disable_ipv6=1");
        exec("ip", "addr", "add", cidr, "dev", device);
        if (mtu > 0) {
            exec("ip", "link", "set", device, "mtu", Integer.toString(mtu));
        }
        exec("ip", "link", "set", device, "up");
    }

    /** Runs {@code command} inside the namespace ({@code ip netns exec}); returns its standard output. */
    public String exec(String... command) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", name));
        cmd.addAll(List.of(command));
        return run(cmd.toArray(String[]::new));
    }

    /** Deletes the namespace. Idempotent; an error is reported on standard error, not thrown. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            run("ip", "netns", "del", name);
        } catch (IOException e) {
            System.err.println("warning: could not delete network namespace " + name + ": " + e.getMessage());
        }
    }

    /**
     * Runs a command (no shell), waits for it; returns standard output. Throws with the command, its
     * exit status and standard error if it fails.
     */
    public static String run(String... command) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(command).redirectInput(new java.io.File("/dev/null"));
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            throw new IOException("cannot run " + String.join(" ", command) + ": " + e.getMessage(), e);
        }
        try {
            // ip and sysctl write little: reading stdout to its end before stderr cannot deadlock.
            byte[] out = p.getInputStream().readAllBytes();
            byte[] err = p.getErrorStream().readAllBytes();
            if (!p.waitFor(COMMAND_TIMEOUT_S, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException(String.join(" ", command) + ": timed out");
            }
            if (p.exitValue() != 0) {
                throw new IOException(String.join(" ", command) + ": exit " + p.exitValue() + ": "
                        + new String(err, StandardCharsets.UTF_8).strip());
            }
            return new String(out, StandardCharsets.UTF_8);
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException(String.join(" ", command) + ": interrupted", e);
        }
    }

    private static boolean nameChar(int c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_';
    }

    @Override
    public String toString() {
        return "NetNamespace[" + name + "]";
    }
}

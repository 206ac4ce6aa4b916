package nemesis.drivers.tap;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.util.HexFormat;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A TAP device whose Linux end is in a network namespace of its own: namespace
 * {@code nemesis-t<pid>-<n>}, device {@code nmt<pid>n<n>}, Linux at {@value #LINUX_IP_TEXT}/24 with
 * IPv6 off. Nothing it carries can leave the namespace. {@link #close()} always removes both;
 * namespaces of earlier test runs whose process is gone are removed on the way in.
 */
final class TapFixture implements AutoCloseable {
    static final String HOST_IP_TEXT = "198.51.100.1";
    static final String LINUX_IP_TEXT = "198.51.100.2";
    static final int HOST_IP = 0xC6_33_64_01; // 198.51.100.1, the emulated Nemesis host
    static final int LINUX_IP = 0xC6_33_64_02; // 198.51.100.2
    static final long HOST_MAC = 0x02_4E_45_4D_00_01L; // locally administered
    private static final AtomicInteger COUNTER = new AtomicInteger();
    private static final Pattern OURS = Pattern.compile("^(nemesis-t(\\d+)-\\d+)\\b.*");

    final NetNamespace ns;
    final TunTap tap;
    final long linuxMac;

    private TapFixture(NetNamespace ns, TunTap tap, long linuxMac) {
        this.ns = ns;
        this.tap = tap;
        this.linuxMac = linuxMac;
    }

    /** Skips the calling test (with the reason) unless TAP devices and namespaces can be made. */
    static void assumeAvailable() {
        String why = TunTap.unavailableReason();
        assumeTrue(why == null, () -> "TAP tests skipped: " + why);
        boolean ip;
        try {
            NetNamespace.run("ip", "netns", "list");
            ip = true;
        } catch (IOException e) {
            ip = false;
        }
        assumeTrue(ip, "TAP tests skipped: the ip command (iproute2) does not work here");
    }

    /** A namespace and a TAP in it, configured; {@code mtu} 0 keeps Linux's default. */
    static TapFixture create(int mtu) throws IOException {
        removeLeftovers();
        long pid = ProcessHandle.current().pid();
        int n = COUNTER.incrementAndGet();
        NetNamespace ns = NetNamespace.create("nemesis-t" + pid + "-" + n);
        TunTap tap = null;
        try {
            tap = TunTap.create("nmt" + pid + "n" + n);
            ns.adopt(tap.name(), LINUX_IP_TEXT + "/24", mtu);
            String mac = ns.exec("cat", "/sys/class/net/" + tap.name() + "/address").strip().replace(":", "");
            return new TapFixture(ns, tap, HexFormat.fromHexDigitsToLong(mac));
        } catch (IOException | RuntimeException e) {
            if (tap != null) {
                tap.close();
            }
            ns.close();
            throw e;
        }
    }

    /** Lets Linux reach the emulated host without ARP (a permanent neighbour entry). */
    void staticNeighbour() throws IOException {
        ns.exec("ip", "neigh", "replace", HOST_IP_TEXT, "lladdr", macText(HOST_MAC), "dev", tap.name(), "nud",
                "permanent");
    }

    /** A counter of the TAP device as Linux sees it (e.g. {@code rx_packets}: frames we wrote). */
    long linuxStat(String name) throws IOException {
        return Long.parseLong(ns.exec("cat", "/sys/class/net/" + tap.name() + "/statistics/" + name).strip());
    }

    /** A field of /proc/net/snmp inside the namespace, e.g. ("Icmp", "OutEchoReps"). */
    long snmp(String group, String field) throws IOException {
        String[] lines = ns.exec("cat", "/proc/net/snmp").split("\n");
        for (int i = 0; i + 1 < lines.length; i += 2) {
            String[] names = lines[i].split("\\s+");
            String[] values = lines[i + 1].split("\\s+");
            if (names[0].equals(group + ":")) {
                for (int k = 1; k < names.length; k++) {
                    if (names[k].equals(field)) {
                        return Long.parseLong(values[k]);
                    }
                }
            }
        }
        throw new IllegalArgumentException("no " + group + " " + field + " in /proc/net/snmp");
    }

    /** Starts {@code command} inside the namespace without waiting (a ping from Linux, say). */
    Process spawn(String... command) throws IOException {
        String[] cmd = new String[command.length + 4];
        cmd[0] = "ip";
        cmd[1] = "netns";
        cmd[2] = "exec";
        cmd[3] = ns.name();
        System.arraycopy(command, 0, cmd, 4, command.length);
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
    }

    static String macText(long mac) {
        StringBuilder sb = new StringBuilder();
        for (int i = 5; i >= 0; i--) {
            sb.append(String.format("%02x", (mac >>> (8 * i)) & 0xFF));
            if (i > 0) {
                sb.append(':');
            }
        }
        return sb.toString();
    }

    /** Closes the TAP (which removes the device), then deletes the namespace. */
    @Override
    public void close() {
        try {
            tap.close();
        } finally {
            ns.close();
        }
    }

    /** Deletes our test namespaces whose process no longer exists (a run killed mid-test). */
    private static void removeLeftovers() {
        String list;
        try {
            list = NetNamespace.run("ip", "netns", "list");
        } catch (IOException e) {
            return;
        }
        for (String line : list.split("\n")) {
            Matcher m = OURS.matcher(line.strip());
            if (m.matches() && ProcessHandle.of(Long.parseLong(m.group(2))).isEmpty()) {
                try {
                    NetNamespace.run("ip", "netns", "del", m.group(1));
                } catch (IOException ignored) {
                    // someone else's race: leave it
                }
            }
        }
    }
}

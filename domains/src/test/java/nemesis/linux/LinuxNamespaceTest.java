package nemesis.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.BindException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The namespace itself, as root: what create and close leave behind, the cleanup of what dead
 * runs left, and that threads inside see only the namespace. Skipped unless root.
 */
class LinuxNamespaceTest {
    private static final long PID = ProcessHandle.current().pid();
    private static final String ROOT_ADDRESS_FALLBACK = "192.0.2.2";

    @BeforeEach
    void root() {
        Root.assumeSupported();
    }

    private static boolean linkInRoot(String dev) throws IOException {
        return Command.run(List.of("ip", "link", "show", "dev", dev)).ok();
    }

    private static boolean netnsListed(String name) throws IOException {
        return Command.run(List.of("ip", "netns", "list")).check().output().lines()
                .anyMatch(l -> l.split("\\s+")[0].equals(name));
    }

    @Test
    void closeLeavesNothingBehind() throws Exception {
        String tap = "nmtt" + PID % 100_000;
        LinuxNamespace ns = LinuxNamespace.create();
        String name = ns.name();
        Process outside = null;
        try {
            assertTrue(name.matches("nemesis-" + PID + "-\\d+"), name);
            assertTrue(Files.exists(LinuxNamespace.NETNS_DIR.resolve(name)));
            assertTrue(netnsListed(name));
            Path entry = LinuxNamespace.REGISTRY_DIR.resolve(name);
            assertTrue(Files.readString(entry).startsWith("pid=" + PID + " "), Files.readString(entry));

            // A TAP device as the emulator makes it (here persistent, down, no address), adopted.
            Command.run(List.of("ip", "tuntap", "add", "dev", tap, "mode", "tap")).check();
            ns.adopt(tap, "198.51.100.2/24", 1400);
            assertFalse(linkInRoot(tap), "the TAP left the root namespace");
            String link = ns.ip("-o", "link", "show", "dev", tap).output();
            assertTrue(link.contains("mtu 1400") && link.matches("(?s).*<[^>]*\\bUP\\b.*"), link);
            assertEquals(List.of("127.0.0.1", "198.51.100.2"), ns.addresses());
            assertEquals("1", ns.run(List.of("cat", "/proc/sys/net/ipv6/conf/" + tap + "/disable_ipv6"), 5_000)
                    .check().output().strip(), "IPv6 off on the TAP");
            assertFalse(ns.ip("-o", "-6", "addr", "show", "dev", tap).output().contains("inet6"));

            // Processes it started, one it did not, a thread inside.
            Process mine = ns.exec(List.of("sleep", "30"));
            outside = new ProcessBuilder("ip", "netns", "exec", name, "sleep", "30").start();
            long outsidePid = outside.pid();
            AtomicBoolean interrupted = new AtomicBoolean();
            Thread inside = ns.startThread("sleeper", () -> {
                try {
                    Thread.sleep(60_000);
                } catch (InterruptedException e) {
                    interrupted.set(true);
                }
            });
            Root.await(5_000, "both sleeps in the namespace",
                    () -> ns.pids().containsAll(List.of(mine.pid(), outsidePid)));
            long inode = ns.inode();
            assertTrue(LinuxNamespace.pidsIn(inode).contains(PID), "our thread is inside");

            ns.close();

            assertEquals(List.of(), ns.problems());
            assertFalse(Files.exists(LinuxNamespace.NETNS_DIR.resolve(name)));
            assertFalse(netnsListed(name));
            assertFalse(Files.exists(entry), "registry entry removed");
            assertTrue(mine.waitFor(2, TimeUnit.SECONDS) && outside.waitFor(2, TimeUnit.SECONDS), "processes killed");
            assertFalse(inside.isAlive());
            assertTrue(interrupted.get());
            assertEquals(List.of(), List.copyOf(LinuxNamespace.pidsIn(inode)), "nothing is in the namespace");
            Root.await(2_000, "the TAP device to go with the namespace", () -> {
                try {
                    return !linkInRoot(tap);
                } catch (IOException e) {
                    return false;
                }
            });
            ns.close(); // again: nothing happens
            assertThrows(IllegalStateException.class, () -> ns.startThread("late", () -> { }));
        } finally {
            ns.close();
            if (outside != null) {
                outside.destroyForcibly();
            }
            Command.run(List.of("ip", "link", "delete", "dev", tap));
        }
    }

    @Test
    void cleanupRemovesWhatDeadOwnersLeft() throws Exception {
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        long dead = gone.pid();
        String left = "nemesis-" + dead + "-77";
        String ghost = "nemesis-" + dead + "-78";
        String stray = "nmts" + PID % 100_000;
        Path leftEntry = LinuxNamespace.REGISTRY_DIR.resolve(left);
        Path ghostEntry = LinuxNamespace.REGISTRY_DIR.resolve(ghost);
        Process inside = null;
        try (LinuxNamespace mine = LinuxNamespace.create()) {
            Command.run(List.of("ip", "netns", "add", left)).check();
            Files.createDirectories(LinuxNamespace.REGISTRY_DIR);
            Files.writeString(leftEntry, "pid=" + dead + " start=1\n");
            Files.writeString(ghostEntry, "pid=" + dead + " start=1\n"); // its namespace is already gone
            inside = new ProcessBuilder("ip", "netns", "exec", left, "sleep", "30").start();
            long insideIno = ((Number) Files.getAttribute(LinuxNamespace.NETNS_DIR.resolve(left), "unix:ino")).longValue();
            Process p = inside;
            Root.await(5_000, "the sleep in the leftover", () -> LinuxNamespace.pidsIn(insideIno).contains(p.pid()));
            Command.run(List.of("ip", "tuntap", "add", "dev", stray, "mode", "tap")).check();

            ByteArrayOutputStream text = new ByteArrayOutputStream();
            int removed = LinuxNamespace.cleanupLeftovers(new PrintStream(text, true, StandardCharsets.UTF_8));
            String out = text.toString(StandardCharsets.UTF_8);

            assertTrue(removed >= 2, out);
            assertTrue(out.contains("removed network namespace " + left), out);
            assertTrue(out.contains("killed process " + inside.pid()), out);
            assertTrue(out.contains("removed TAP device " + stray), out);
            assertFalse(Files.exists(LinuxNamespace.NETNS_DIR.resolve(left)));
            assertFalse(Files.exists(leftEntry));
            assertFalse(Files.exists(ghostEntry));
            assertTrue(inside.waitFor(2, TimeUnit.SECONDS), "the process in the leftover was killed");
            assertFalse(linkInRoot(stray));
            // A live owner's namespace stays.
            assertTrue(Files.exists(mine.path()));
            assertTrue(Files.exists(LinuxNamespace.REGISTRY_DIR.resolve(mine.name())));
            assertFalse(out.contains(mine.name()), out);
        } finally {
            if (inside != null) {
                inside.destroyForcibly();
            }
            Command.run(List.of("ip", "netns", "delete", left));
            Files.deleteIfExists(leftEntry);
            Files.deleteIfExists(ghostEntry);
            Command.run(List.of("ip", "link", "delete", "dev", stray));
        }
    }

    /** What a thread inside saw. */
    record Inside(String ns, List<String> interfaces, List<String> addresses, String bindForeign,
                  boolean boundOwn, String connectForeign, String sendForeign) {
    }

    @Test
    void aThreadInsideReachesOnlyTheNamespace() throws Exception {
        String rootNs = Files.readSymbolicLink(Path.of("/proc/thread-self/ns/net")).toString();
        String foreign = LinuxNamespace.rootAddresses().stream().filter(a -> !a.startsWith("127."))
                .findFirst().orElse(ROOT_ADDRESS_FALLBACK);
        InetAddress foreignAddress = InetAddress.getByName(foreign);
        InetAddress own = LinuxService.LINUX_PEER;
        try (LinuxNamespace ns = LinuxNamespace.create()) {
            Root.vethInside(ns);
            Inside seen = ns.call(() -> {
                String where = Files.readSymbolicLink(Path.of("/proc/thread-self/ns/net")).toString();
                // (Interfaces with an IPv4 address: the JDK lists IPv6 interfaces from /proc/net/if_inet6, and
                // /proc/net is the main thread's namespace's, so the root namespace's eth0 shows up, without IPv4.)
                List<String> ifs = NetworkInterface.networkInterfaces()
                        .filter(i -> i.inetAddresses().anyMatch(a -> a instanceof java.net.Inet4Address))
                        .map(NetworkInterface::getName).sorted().toList();
                List<String> addrs = NetworkInterface.networkInterfaces().flatMap(NetworkInterface::inetAddresses)
                        .map(InetAddress::getHostAddress).filter(a -> !a.contains(":")).sorted().toList();
                String bind;
                try (ServerSocket s = new ServerSocket()) {
                    s.bind(new InetSocketAddress(foreignAddress, 0));
                    bind = "bound";
                } catch (BindException e) {
                    bind = e.getMessage();
                }
                boolean boundOwn = false;
                String connect;
                try (Socket c = new Socket()) {
                    c.bind(new InetSocketAddress(own, 0));
                    boundOwn = true;
                    c.connect(new InetSocketAddress(foreignAddress, 9), 1_000);
                    connect = "connected";
                } catch (IOException e) {
                    connect = e.getMessage();
                }
                String send;
                try (DatagramSocket d = new DatagramSocket(null)) {
                    d.bind(new InetSocketAddress(own, 0));
                    d.send(new DatagramPacket(new byte[1], 1, foreignAddress, 9));
                    send = "sent";
                } catch (IOException e) {
                    send = e.getMessage();
                }
                return new Inside(where, ifs, addrs, bind, boundOwn, connect, send);
            });
            assertNotEquals(rootNs, seen.ns());
            assertEquals("net:[" + ns.inode() + "]", seen.ns());
            assertEquals(List.of("lo", "nmv1", "nmv2"), seen.interfaces());
            assertEquals(List.of("127.0.0.1", "198.51.100.1", "198.51.100.2"), seen.addresses());
            assertTrue(seen.bindForeign().contains("Cannot assign requested address"), seen.bindForeign());
            assertTrue(seen.boundOwn());
            assertTrue(seen.connectForeign().contains("unreachable"), seen.connectForeign());
            assertTrue(seen.sendForeign().contains("unreachable"), seen.sendForeign());

            // This thread stayed in the root namespace, where the namespace's address does not exist.
            assertTrue(LinuxNamespace.inRootNamespace());
            assertEquals(rootNs, Files.readSymbolicLink(Path.of("/proc/thread-self/ns/net")).toString());
            assertThrows(IOException.class, ns::checkCurrentThread);
            try (ServerSocket s = new ServerSocket()) {
                assertThrows(BindException.class, () -> s.bind(new InetSocketAddress(own, 0)));
            }
            LinuxService.Context ctx = LinuxService.Context.tap(ns, System::nanoTime, 0);
            assertEquals(ctx, ctx.checked());
            IOException notInside = assertThrows(IOException.class,
                    () -> ctx.withLocal((java.net.Inet4Address) foreignAddress).checked());
            assertTrue(notInside.getMessage().contains("is not an address of " + ns.name()), notInside.getMessage());
        }
    }

    @Test
    @SuppressWarnings("try") // closes inside its try-with-resources on purpose
    void aThreadThatCannotEnterNeverRuns() throws Exception {
        try (LinuxNamespace ns = LinuxNamespace.create()) {
            // Someone deletes the namespace under us: entering fails, and says so.
            Command.run(List.of("ip", "netns", "delete", ns.name())).check();
            AtomicBoolean ran = new AtomicBoolean();
            IOException e = assertThrows(IOException.class, () -> ns.startThread("lost", () -> ran.set(true)));
            assertTrue(e.getMessage().contains("could not enter network namespace " + ns.name()), e.getMessage());
            assertFalse(ran.get());
            ns.close();
            assertEquals(List.of(), ns.problems());
            assertFalse(Files.exists(LinuxNamespace.REGISTRY_DIR.resolve(ns.name())));
        }
    }
}

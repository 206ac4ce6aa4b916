package nemesis.linux;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.util.function.BooleanSupplier;

/** What the tests that need root share. */
final class Root {
    private Root() {
    }

    /** Skips the test unless a TAP peer can run here (Linux, root, /dev/net/tun, ip). */
    static void assumeSupported() {
        String why = LinuxNamespace.unsupportedReason();
        assumeTrue(why == null, () -> "skipped: " + why);
    }

    /** Both ends of a veth pair inside {@code ns}: 198.51.100.1 on one, .2 on the other (TEST-NET-2 only). */
    static void vethInside(LinuxNamespace ns) throws IOException {
        ns.ip("link", "add", "nmv1", "type", "veth", "peer", "name", "nmv2");
        ns.ip("addr", "add", "198.51.100.1/24", "dev", "nmv1");
        ns.ip("addr", "add", "198.51.100.2/24", "dev", "nmv2");
        ns.ip("link", "set", "dev", "nmv1", "up");
        ns.ip("link", "set", "dev", "nmv2", "up");
    }

    /** Waits up to {@code ms} for {@code condition}; fails with {@code what} if it does not come. */
    static void await(long ms, String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + ms * 1_000_000L;
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "timed out after " + ms + " ms waiting for " + what);
            Thread.sleep(5);
        }
    }
}

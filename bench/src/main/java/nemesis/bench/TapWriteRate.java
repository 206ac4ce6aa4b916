package nemesis.bench;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.HexFormat;
import nemesis.drivers.tap.Libc;
import nemesis.drivers.tap.NetNamespace;
import nemesis.drivers.tap.TunTap;
import nemesis.wire.BigEndian;
import nemesis.wire.Checksum;
import nemesis.wire.EthernetFrame;
import nemesis.wire.Ipv4Packet;

/**
 * The ceiling of the TAP path: how many MTU-sized frames (1514 bytes) one thread can write to a
 * TAP device per second, straight through the system call the TAP card's writer makes, with no
 * pacing and no emulator. The frames are UDP datagrams with valid headers from 198.51.100.1 to
 * 198.51.100.2 port 9 (discard: no one listens, Linux drops them, and answers a few with a
 * rate-limited ICMP port unreachable that nobody reads), inside a network namespace of its own
 * ({@code nemesis-b<pid>}, device {@code nmtb<pid>}), removed at the end, also on Ctrl-C.
 *
 * <pre>
 *   bench/tap-write-rate.sh [SECONDS]      (default 2; root and /dev/net/tun needed)
 * </pre>
 *
 * Prints frames/s, the frames' bit rate, the UDP payload's in Mbit/s (10^6) and in the paper's
 * Mb/s (2^20), and what Linux counted on the device.
 */
public final class TapWriteRate {
    static final int FRAME = 1514;
    static final int PAYLOAD = FRAME - 14 - 20 - 8;
    static final long HOST_MAC = 0x02_4E_45_4D_00_01L;
    static final int HOST_IP = 0xC6_33_64_01; // 198.51.100.1
    static final int LINUX_IP = 0xC6_33_64_02; // 198.51.100.2
    static final long WARMUP_NS = 300_000_000L;

    private TapWriteRate() {
    }

    public static void main(String[] args) throws Exception {
        double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 2.0;
        if (!(seconds > 0) || seconds > 600) {
            System.err.println("usage: TapWriteRate [SECONDS]   (0 < SECONDS <= 600, default 2)");
            System.exit(2);
        }
        String why = TunTap.unavailableReason();
        if (why != null) {
            System.err.println("TapWriteRate: cannot run: " + why);
            System.exit(2);
        }
        long pid = ProcessHandle.current().pid();
        NetNamespace ns = NetNamespace.create("nemesis-b" + pid);
        TunTap[] tapHolder = new TunTap[1];
        Thread cleanup = new Thread(() -> {
            if (tapHolder[0] != null) {
                tapHolder[0].close();
            }
            ns.close();
        }, "tap-write-rate-cleanup");
        Runtime.getRuntime().addShutdownHook(cleanup); // Ctrl-C too
        try (TunTap tap = TunTap.create("nmtb" + pid)) {
            tapHolder[0] = tap;
            ns.adopt(tap.name(), "198.51.100.2/24", 0);
            long linuxMac = HexFormat.fromHexDigitsToLong(
                    ns.exec("cat", "/sys/class/net/" + tap.name() + "/address").strip().replace(":", ""));
            measure(ns, tap, linuxMac, seconds);
        } finally {
            cleanup.run(); // idempotent; the hook then has nothing left to do
        }
    }

    private static void measure(NetNamespace ns, TunTap tap, long linuxMac, double seconds) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment frame = arena.allocate(FRAME, 64);
            udp(frame, linuxMac);
            MemorySegment state = Libc.callState(arena);
            int fd = tap.fd();
            long rx0 = stat(ns, tap, "rx_packets");
            long drop0 = stat(ns, tap, "rx_dropped");
            long durationNs = (long) (seconds * 1e9);
            long errors = 0;
            long retries = 0;
            long frames = 0;
            long t0 = System.nanoTime();
            long warmEnd = t0 + WARMUP_NS;
            long end = warmEnd + durationNs;
            long measuredFrom = -1;
            long measuredStart = 0;
            String lastError = null;
            while (true) {
                for (int k = 0; k < 64; k++) {
                    long n;
                    try {
                        n = Libc.write(fd, frame, FRAME, state);
                    } catch (Libc.LinuxError e) {
                        errors++;
                        lastError = e.getMessage();
                        continue;
                    }
                    if (n == FRAME) {
                        frames++;
                    } else if (n < 0) {
                        retries++;
                    } else {
                        errors++;
                    }
                }
                long now = System.nanoTime();
                if (measuredFrom < 0 && now >= warmEnd) {
                    measuredFrom = frames;
                    measuredStart = now;
                }
                if (now >= end) {
                    break;
                }
            }
            long elapsed = System.nanoTime() - measuredStart;
            long measured = frames - measuredFrom;
            long rx = stat(ns, tap, "rx_packets") - rx0;
            long dropped = stat(ns, tap, "rx_dropped") - drop0;
            double fps = measured / (elapsed / 1e9);
            System.out.printf("TAP write rate, %d-byte frames (UDP %d-byte payload to 198.51.100.2:9), one thread,"
                    + " %.1f s after %.1f s warmup%n", FRAME, PAYLOAD, elapsed / 1e9, WARMUP_NS / 1e9);
            System.out.printf("  %,.0f frames/s = %.3f us per write%n", fps, 1e6 / fps);
            System.out.printf("  frames:      %,.1f Mbit/s (frame bytes, no Ethernet overhead)%n",
                    fps * FRAME * 8 / 1e6);
            System.out.printf("  UDP payload: %,.1f Mbit/s = %,.1f Mb/s in the paper's unit (2^20 bit/s)%n",
                    fps * PAYLOAD * 8 / 1e6, fps * PAYLOAD * 8 / (1 << 20));
            System.out.printf("  Linux counted %,d frames received on %s (%,d dropped) over the whole run of %,d writes;"
                    + " write errors %d, retries %d%s%n", rx, tap.name(), dropped, frames, errors, retries,
                    lastError == null ? "" : " (last: " + lastError + ")");
        }
    }

    /** Ethernet + IPv4 + UDP to port 9 with valid checksums, filling {@code m}. */
    static void udp(MemorySegment m, long linuxMac) {
        new EthernetFrame().wrap(m, 0, 14).dst(linuxMac).src(HOST_MAC).etherType(EthernetFrame.ETHERTYPE_IPV4);
        BigEndian.u8(m, 14, 0x45);
        BigEndian.u8(m, 15, 0);
        new Ipv4Packet().wrap(m, 14, 20).totalLength(20 + 8 + PAYLOAD).identification(1)
                .flagsAndFragmentOffset(Ipv4Packet.FLAG_DF).ttl(64).protocol(Ipv4Packet.PROTO_UDP).src(HOST_IP)
                .dst(LINUX_IP).fillChecksum();
        int u = 34;
        BigEndian.u16(m, u, 40000);
        BigEndian.u16(m, u + 2, 9);
        BigEndian.u16(m, u + 4, 8 + PAYLOAD);
        BigEndian.u16(m, u + 6, 0);
        for (int i = 0; i < PAYLOAD; i++) {
            m.set(ValueLayout.JAVA_BYTE, u + 8 + i, (byte) i);
        }
        int sum = Checksum.compute(m, u, 8 + PAYLOAD, Checksum.pseudoHeaderSum(HOST_IP, LINUX_IP, 17, 8 + PAYLOAD));
        BigEndian.u16(m, u + 6, sum == 0 ? 0xFFFF : sum);
    }

    private static long stat(NetNamespace ns, TunTap tap, String name) throws IOException {
        return Long.parseLong(ns.exec("cat", "/sys/class/net/" + tap.name() + "/statistics/" + name).strip());
    }
}

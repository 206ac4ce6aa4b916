package nemesis.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every example does what its comment says. */
class ExamplesTest {
    @TempDir
    Path tmp;

    String run(String example, String... extra) throws Exception {
        Path json = tmp.resolve(example + ".json");
        String[] args = new String[4 + extra.length];
        args[0] = "run";
        args[1] = Cli.example(example + ".yaml").toString();
        args[2] = "--json";
        args[3] = json.toString();
        System.arraycopy(extra, 0, args, 4, extra.length);
        Cli c = Cli.run(args);
        assertEquals(0, c.exit(), c.err());
        return Files.readString(json);
    }

    @Test
    void extraTimeIsSharedEquallyAmongExtraDomains() throws Exception {
        String r = run("extra-time", "-q");
        assertEquals(0.20, Cli.number(r, "domains.fixed.cpu.share"), 1e-6);
        assertEquals(0.0, Cli.number(r, "domains.fixed.cpu.extra_ns"));
        assertEquals(0.40, Cli.number(r, "domains.mixed.cpu.share"), 0.005);
        assertEquals(0.20, Cli.number(r, "domains.slack1.cpu.share"), 0.005);
        assertEquals(0.20, Cli.number(r, "domains.slack2.cpu.share"), 0.005);
        assertEquals(0.0, Cli.number(r, "domains.slack2.cpu.guaranteed_ns"));
    }

    @Test
    void theLatencyHintMakesTheDifference() throws Exception {
        String r = run("latency-hint", "-q");
        double releases = Cli.number(r, "domains.rt-hint.stats.releases");
        assertTrue(releases >= 89, "releases " + releases);
        assertEquals(0.0, Cli.number(r, "domains.rt-hint.stats.missed"));
        assertTrue(Cli.number(r, "domains.rt-plain.stats.missed") > releases / 2, r);
        assertEquals(0.40, Cli.number(r, "domains.busy-a.cpu.share"), 1e-6);
    }

    @Test
    void aCrashingDomainIsKilledAndTheOthersKeepTheirGuarantees() throws Exception {
        String r = run("crash", "-q");
        assertEquals("killed", Cli.string(r, "domains.faulty.status"));
        assertTrue(r.contains("deliberate failure"), r);
        assertEquals(0.40, Cli.number(r, "domains.steady.cpu.share"), 1e-6);
        assertEquals(0.0, Cli.number(r, "domains.steady.cpu.late_slices"));
        assertEquals(0.0, Cli.number(r, "domains.soaker.cpu.late_slices"));
        assertTrue(Cli.number(r, "domains.soaker.cpu.extra_ns") > 0.5e9, "soaker took the freed CPU");
    }

    @Test
    void udpRateControl() throws Exception {
        String r = run("udp-rate-control", "-q", "--out", tmp.toString());
        double measured = Cli.number(r, "measured_ns");
        double[][] want = {{2.4e6, 50e6}, {2.4e6, 10e6}, {1e6, 20e6}};
        for (int i = 0; i < 3; i++) {
            String d = "domains.s" + (i + 1) + ".tx.";
            double share = (Cli.number(r, d + "guaranteed_ns") + Cli.number(r, d + "extra_ns")) / measured;
            assertEquals(want[i][0] / want[i][1], share, 0.01 * want[i][0] / want[i][1], "s" + (i + 1));
            assertEquals("true", r.replaceAll("(?s).*\"s" + (i + 1) + "\": \\{.*?\"verified\": (\\w+).*", "$1"));
        }
        assertTrue(Files.size(Path.of("out/udp-rate-control.pcap")) > 1_000_000);
    }

    @Test
    void udpExtraTime() throws Exception {
        String r = run("udp-extra-time", "-q");
        double measured = Cli.number(r, "measured_ns");
        double fixed = (Cli.number(r, "domains.fixed.tx.guaranteed_ns") + Cli.number(r, "domains.fixed.tx.extra_ns")) / measured;
        double x1 = Cli.number(r, "domains.x1.tx.extra_ns") / measured;
        double x2 = Cli.number(r, "domains.x2.tx.extra_ns") / measured;
        assertEquals(0.20, fixed, 0.002);
        assertEquals(x1, x2, 0.05 * (x1 + x2));
        assertTrue(x1 + x2 > 0.70, "the extra senders take the rest: " + (x1 + x2));
    }

    @Test
    void tcpRateControl() throws Exception {
        String r = run("tcp-rate-control", "-q");
        // two 1460-byte payloads per 50 ms
        assertEquals(2 * 1460 * 8 / 0.05, Cli.number(r, "domains.c1.goodput_bps"), 2 * 1460 * 8 / 0.05 * 0.01);
        assertEquals(0.048, Cli.number(r, "domains.c1.tx.guaranteed_ns") / Cli.number(r, "measured_ns"), 0.0005);
        assertTrue(r.matches("(?s).*\"c1\": \\{.*?\"verified\": true.*"), r);
    }

    @Test
    void tcpCpuAndWire() throws Exception {
        String r = run("tcp-cpu-and-wire", "-q");
        double[] aimBits = {10 * 1048576.0, 10 * 1048576.0, 5 * 1048576.0};
        for (int i = 0; i < 3; i++) {
            double g = Cli.number(r, "domains.s" + (i + 1) + ".goodput_bps");
            assertEquals(aimBits[i] * 1.01, g, aimBits[i] * 0.03, "s" + (i + 1) + " gets its aim");
        }
        assertTrue(Cli.number(r, "domains.carnage.cpu.extra_ns") > 2e9, "carnage burns the rest");
    }

    @Test
    void tcpFaultyWire() throws Exception {
        String r = run("tcp-faulty-wire", "-q");
        assertEquals(2_000_000, Cli.number(r, "domains.sender.bytes_delivered"), 0, "all of it (no warmup)");
        assertEquals(1_000_000, Cli.number(r, "domains.receiver.bytes_delivered"), 0);
        assertTrue(r.matches("(?s).*\"sender\": \\{.*?\"verified\": true.*")
                && r.matches("(?s).*\"receiver\": \\{.*?\"verified\": true.*"), r);
        assertTrue(Cli.number(r, "link.corrupted") > 0 && Cli.number(r, "link.dropped") > 0);
    }

    @Test
    void tapIperf() throws Exception {
        String why = nemesis.linux.LinuxNamespace.unsupportedReason();
        org.junit.jupiter.api.Assumptions.assumeTrue(why == null, () -> "skipped: " + why);
        for (String t : new String[] {"iperf", "ping", "ss"}) {
            org.junit.jupiter.api.Assumptions.assumeTrue(nemesis.linux.Command.onPath(t),
                    () -> "skipped: " + t + " is not installed (scripts/install-test-tools.sh installs it)");
        }
        String r = run("tap-iperf", "-q", "--out", tmp.toString());
        // iperf's own rate: the reservation's 110 us per ms of 100 Mb/s, 1460 of 1500 bytes payload
        double allowed = 0.11 * 100e6 * 1460 / 1500;
        assertEquals(allowed, Cli.number(r, "peer.iperf_server:5001.bits_per_second"), allowed * 0.03);
        int ping = r.indexOf("\"ping:198.51.100.1\": {");
        assertTrue(ping > 0, r);
        assertEquals(5, Cli.number(r.substring(ping), "received"), "Linux pinged the emulated host");
        assertEquals(5, Cli.number(r, "domains.pinger.stats.received"));
    }

    @Test
    void tapLossy() throws Exception {
        String why = nemesis.linux.LinuxNamespace.unsupportedReason();
        org.junit.jupiter.api.Assumptions.assumeTrue(why == null, () -> "skipped: " + why);
        String r = run("tap-lossy", "-q", "--out", tmp.toString());
        assertEquals(1_000_000, Cli.number(r, "peer.tcp_sink:5001.bytes_total"));
        assertEquals(1_000_000, Cli.number(r, "domains.receiver.bytes_delivered"));
        assertTrue(r.matches("(?s).*\"tcp_sink:5001\": \\{.*?\"verified\": true.*")
                && r.matches("(?s).*\"receiver\": \\{.*?\"verified\": true.*"), r);
        assertTrue(Cli.number(r, "link.dropped") > 0 && Cli.number(r, "link.reordered") > 0);
    }

    /**
     * The same scenario on the wall clock gives CPU shares within 2 percentage points of the virtual
     * run. This compares shares measured in one process on a possibly busy machine; it does not
     * time anything.
     */
    @Test
    void realClockSharesMatchTheVirtualRun() throws Exception {
        String real = run("real-clock", "-q");
        Path virtualYaml = tmp.resolve("virtual.yaml");
        Files.writeString(virtualYaml, Files.readString(Cli.example("real-clock.yaml"))
                .replace("clock: real", "clock: virtual"));
        Path json = tmp.resolve("virtual.json");
        Cli c = Cli.run("run", virtualYaml.toString(), "--json", json.toString(), "-q");
        assertEquals(0, c.exit(), c.err());
        String virtual = Files.readString(json);
        assertEquals("real", Cli.string(real, "clock"));
        for (String d : new String[] {"video", "audio", "batch"}) {
            double r = Cli.number(real, "domains." + d + ".cpu.share");
            double v = Cli.number(virtual, "domains." + d + ".cpu.share");
            assertEquals(v, r, 0.02, d + ": real " + r + " vs virtual " + v);
        }
    }
}

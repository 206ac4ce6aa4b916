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

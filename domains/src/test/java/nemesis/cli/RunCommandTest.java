package nemesis.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RunCommandTest {
    @TempDir
    Path tmp;

    @Test
    void resultsFollowTheContract() throws Exception {
        Path json = tmp.resolve("r.json");
        Cli c = Cli.run("run", Cli.example("guaranteed-slices.yaml").toString(), "--json", json.toString(),
                "--out", tmp.toString());
        assertEquals(0, c.exit(), c.err());
        String r = Files.readString(json);
        for (String field : new String[] {"\"scenario\": \"guaranteed-slices\"", "\"clock\": \"virtual\"",
                "\"seed\": 1", "\"duration_ns\": 10000000000", "\"measured_ns\": 9000000000", "\"guaranteed_ns\"",
                "\"extra_ns\"", "\"share\"", "\"tx\": {", "\"frames\"", "\"bytes\"", "\"goodput_bps\"",
                "\"bytes_delivered\"", "\"link\": {", "\"dropped\"", "\"corrupted\""}) {
            assertTrue(r.contains(field), "missing " + field + " in\n" + r);
        }
        assertEquals(0.30, Cli.number(r, "domains.video.cpu.share"), 1e-9);
        assertEquals(0.10, Cli.number(r, "domains.audio.cpu.share"), 1e-9);
        assertEquals(0.40, Cli.number(r, "domains.batch.cpu.share"), 1e-9);
        assertEquals(2_700_000_000L, (long) Cli.number(r, "domains.video.cpu.guaranteed_ns"));
        assertTrue(c.out().contains("video"), c.out());
    }

    @Test
    void theTableShowsEachPeerServiceAndTheRateOfATransferThatEnded() throws Exception {
        Path json = tmp.resolve("r.json");
        Cli c = Cli.run("run", Cli.example("tcp-faulty-wire.yaml").toString(), "--json", json.toString(),
                "--out", tmp.toString());
        assertEquals(0, c.exit(), c.err());
        String r = Files.readString(json);
        double acked = Cli.number(r, "domains.sender.stats.bytes_acked");
        double span = Cli.number(r, "domains.sender.stats.all_acked_at_ns") - Cli.number(r, "domains.sender.stats.connected_at_ns");
        assertEquals(2_000_000, acked);
        assertEquals(acked * 8e9 / span, Cli.number(r, "domains.sender.transfer_bps"), 1e-6);
        assertEquals(span, Cli.number(r, "domains.sender.transfer_ns"));
        assertTrue(c.out().contains("; 2000000 bytes acknowledged in "), c.out());
        assertTrue(c.out().matches("(?s).*\\npeer tcp_sink:5001 +2000000 bytes in the window, [0-9.]+ Mbit/s first to last, verified\\n.*"), c.out());
        assertTrue(c.out().matches("(?s).*\\npeer tcp_send:6001 +1000000 bytes written, 1000000 acknowledged\\n.*"), c.out());
    }

    @Test
    void sameScenarioAndSeedGiveByteIdenticalResultsAndTrace() throws Exception {
        String[] first = new String[2];
        for (int i = 0; i < 2; i++) {
            Path dir = tmp.resolve("run" + i);
            Cli c = Cli.run("run", Cli.example("extra-time.yaml").toString(), "--json",
                    dir.resolve("r.json").toString(), "--out", dir.toString(), "--trace", "--seed", "42");
            assertEquals(0, c.exit(), c.err());
            String json = Files.readString(dir.resolve("r.json"));
            String trace = Files.readString(dir.resolve("extra-time.trace.csv"));
            String svg = Files.readString(dir.resolve("extra-time.gantt.svg"));
            if (i == 0) {
                first[0] = json;
                first[1] = trace + svg;
                assertTrue(json.contains("\"seed\": 42"));
                assertTrue(Files.size(dir.resolve("extra-time.gantt.png")) > 1000);
            } else {
                assertEquals(first[0], json);
                assertEquals(first[1], trace + svg);
            }
        }
    }

    @Test
    void durationOverride() throws Exception {
        Path json = tmp.resolve("r.json");
        Cli c = Cli.run("run", Cli.example("guaranteed-slices.yaml").toString(), "--json", json.toString(),
                "--duration", "3s", "-q");
        assertEquals(0, c.exit(), c.err());
        assertEquals(3e9, Cli.number(Files.readString(json), "duration_ns"));
        assertEquals("", c.out());
    }

    /** Each bad input: exit 2, a message naming file, line and field, and nothing run or written. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            yaml syntax    | 'domains:\\n  - name: a\\n    cpu: {period: 10ms, slice: 1ms\\n'          | line 3
            unknown field  | 'duration: 1s\\nspeed: 3\\ndomains:\\n  - {name: a, program: idle}\\n'    | :2: speed
            slice > period | 'duration: 1s\\ndomains:\\n  - name: a\\n    program: idle\\n    cpu: {period: 10ms, slice: 12ms}\\n' | domains[0] (a).cpu.slice
            zero period    | 'duration: 1s\\ndomains:\\n  - name: a\\n    program: idle\\n    cpu: {period: 0ms, slice: 0ms}\\n' | domains[0] (a).cpu.period
            negative       | 'duration: -1s\\ndomains:\\n  - {name: a, program: idle}\\n'                | :1: duration
            unknown prog   | 'duration: 1s\\ndomains:\\n  - {name: a, program: quake}\\n'                | domains[0] (a).program
            oversubscribed | 'duration: 1s\\ndomains:\\n  - {name: a, program: idle, cpu: {period: 10ms, slice: 6ms}}\\n  - {name: b, program: idle, cpu: {period: 10ms, slice: 6ms}}\\n' | domains[1] (b).cpu
            tx not yet     | 'duration: 1s\\ndomains:\\n  - {name: a, program: idle, tx: {period: 1ms, slice: 100us}}\\n' | domains[0] (a).tx
            """)
    void badInputIsRefusedWithExitTwoAndNothingRuns(String what, String yaml, String mustMention) throws Exception {
        Path file = tmp.resolve("bad.yaml");
        Files.writeString(file, yaml.replace("\\n", "\n"));
        Path json = tmp.resolve("bad.json");
        Cli c = Cli.run("run", file.toString(), "--json", json.toString(), "--out", tmp.resolve("o").toString(),
                "--trace");
        assertEquals(2, c.exit(), what + ": " + c.out() + c.err());
        assertTrue(c.err().contains(file.toString()), what + ": names the file: " + c.err());
        assertTrue(c.err().contains(mustMention), what + ": mentions " + mustMention + ": " + c.err());
        assertFalse(Files.exists(json), "nothing written");
        assertFalse(Files.exists(tmp.resolve("o")), "nothing written");
        assertEquals("", c.out(), "nothing ran");
    }

    @Test
    void badOptionValuesAreBadInputToo() {
        Cli c = Cli.run("run", Cli.example("guaranteed-slices.yaml").toString(), "--duration", "ten seconds");
        assertEquals(2, c.exit());
        assertTrue(c.err().contains("--duration"), c.err());
        assertEquals(2, Cli.run("run").exit());
        assertEquals(2, Cli.run("run", "no-such-file.yaml").exit());
        assertEquals(2, Cli.run("frobnicate").exit());
    }

    @Test
    void anExperimentWritesItsTableJsonAndFigures(@org.junit.jupiter.api.io.TempDir Path tmp) throws Exception {
        Path json = tmp.resolve("fig4.json");
        Cli c = Cli.run("experiment", "fig4", "--out", tmp.toString(), "--json", json.toString());
        assertEquals(0, c.exit(), c.err());
        assertTrue(c.out().contains("packets per period 2 x 180"), c.out());
        assertTrue(c.err().contains("ran fig4.yaml"), "progress: " + c.err());
        String j = Files.readString(json);
        assertTrue(j.contains("\"period_ms\": 50") && j.contains("\"slice_ms\": 2.4")
                && j.contains("\"packets_per_period\": [2, 2, 2"), j);
        for (String f : new String[] {"fig4/fig4.png", "fig4/fig4.svg", "fig4/fig4.yaml", "fig4/fig4.pcap",
            "fig4/fig4-sweep.png"}) {
            assertTrue(Files.size(tmp.resolve(f)) > 0, f);
        }
        Cli unknown = Cli.run("experiment", "fig99");
        assertEquals(2, unknown.exit());
        assertTrue(unknown.err().contains("known: fig4, fig5, fig6, fig7, table1, perf"), unknown.err());
    }

    @Test
    void checkAndListings() {
        assertEquals(0, Cli.run("check", Cli.example("latency-hint.yaml").toString()).exit());
        Cli p = Cli.run("programs");
        assertEquals(0, p.exit());
        assertTrue(p.out().contains("periodic") && p.out().contains("work"), p.out());
        Cli m = Cli.run("machines");
        assertTrue(m.out().contains("p200-de4x5") && m.out().contains("cpu.activation_ns"), m.out());
    }
}

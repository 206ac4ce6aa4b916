package nemesis.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each of the paper's experiments runs end to end, gives the contract's fields, and lands where
 * the paper's numbers are (tolerances say how close we claim to be; the closing notes of the
 * issue give the measured values). Virtual time: the figures are deterministic.
 */
class ExperimentsTest {
    @TempDir
    Path tmp;

    Experiment.Result run(String name) throws Exception {
        return run(name, Experiment.Receiver.SIM);
    }

    Experiment.Result run(String name, Experiment.Receiver receiver) throws Exception {
        Experiment e = Experiments.find(name);
        assertNotNull(e, name);
        Experiment.Result r = e.run(tmp.resolve(name), null, receiver);
        for (Path f : r.files()) {
            assertTrue(Files.exists(f), f.toString());
        }
        assertTrue(Files.exists(tmp.resolve(name).resolve(name + ".yaml")) || Files.list(tmp.resolve(name))
                .anyMatch(p -> p.toString().endsWith(".yaml")), "the scenarios are written for re-running");
        return r;
    }

    static double num(Object o) {
        return ((Number) o).doubleValue();
    }

    @SuppressWarnings("unchecked")
    static <T> T get(Map<String, Object> m, String key) {
        assertTrue(m.containsKey(key), key + " in " + m.keySet());
        return (T) m.get(key);
    }

    @Test
    void fig4TwoPacketsAtEveryPeriodStartAndTheFootnote() throws Exception {
        Map<String, Object> j = run("fig4").json();
        assertEquals(50, num(get(j, "period_ms")));
        assertEquals(2.4, num(get(j, "slice_ms")));
        List<Integer> pp = get(j, "packets_per_period");
        assertTrue(pp.size() >= 170 && pp.stream().allMatch(n -> n == 2), pp.toString());
        Map<String, Object> foot = get(j, "footnote_3ms");
        assertEquals(Boolean.TRUE, foot.get("alternates"), foot.toString());
        List<Map<String, Object>> sweep = get(j, "sweep_200ms");
        for (Map<String, Object> row : sweep) {
            if (num(row.get("slice_ms")) <= 9.6 + 1e-9) {
                assertEquals(num(row.get("theory_mbps")), num(row.get("goodput_mbps")), num(row.get("theory_mbps")) * 0.01,
                        "no discrepancy up to 9.6 ms: " + row);
            }
        }
    }

    @Test
    void fig5ThreeTransmitters() throws Exception {
        Map<String, Object> j = run("fig5").json();
        Map<String, Object> series = get(j, "series");
        for (String c : List.of("c1", "c2", "c3")) {
            List<List<Double>> s = get(series, c);
            assertEquals(25, s.size(), c);
        }
        Map<String, Object> m = get(j, "means");
        assertEquals(0.17, num(m.get("c1_mbps")), 0.01);
        assertEquals(7.5, num(m.get("c2_alone_mbps")), 0.75);
        assertEquals(3.5, num(m.get("c2_with_c3_mbps")), 0.7);
        assertEquals(4.2, num(m.get("c3_mbps")), 0.7);
        assertTrue(num(m.get("c3_mbps")) < 5.4, "c3 below its 5.6 Mb/s guarantee: the receiver's window closes");
    }

    @Test
    @SuppressWarnings("unchecked")
    void fig6ThroughputFallsInProportionToCarnagesShare() throws Exception {
        Map<String, Object> j = run("fig6").json();
        List<Map<String, Object>> pts = get(j, "points");
        assertEquals(Fig6.SHARES_PERCENT.length, pts.size());
        double alone = num(pts.get(0).get("goodput_mbps"));
        assertTrue(alone > 48 && alone < 62, "paper: ~53 alone, got " + alone);
        for (int i = 1; i < pts.size(); i++) {
            double share = num(pts.get(i).get("carnage_share"));
            assertEquals(Fig6.SHARES_PERCENT[i] / 100.0, share, 0.005, "carnage gets its reservation");
            double g = num(pts.get(i).get("goodput_mbps"));
            assertTrue(g < num(pts.get(i - 1).get("goodput_mbps")), "falls: " + pts);
            // Proportional: what tcp_send (and the driver) get is what carnage leaves.
            double expected = alone * (1 - share);
            assertEquals(expected, g, alone * 0.08, "proportional at " + share);
        }
    }

    @Test
    void fig7CpuNeededGrowsLinearly() throws Exception {
        Map<String, Object> j = run("fig7").json();
        List<Map<String, Object>> pts = get(j, "points");
        for (Map<String, Object> p : pts) {
            double t = num(p.get("target_mbps"));
            double f = num(p.get("cpu_fraction"));
            assertEquals(t / 100, f, 0.015, "about 1% per Mb/s: " + p);
        }
        Map<String, Object> fit = get(j, "fit");
        assertEquals(1.0, num(fit.get("percent_per_mbps")), 0.15);
    }

    @Test
    @SuppressWarnings("unchecked")
    void table1EverySenderGetsItsAim() throws Exception {
        Map<String, Object> j = run("table1").json();
        List<Map<String, Object>> rows = get(j, "rows");
        assertEquals(List.of("s1", "s2", "s3"), rows.stream().map(r -> r.get("app")).toList());
        for (Map<String, Object> r : rows) {
            assertEquals(num(r.get("paper_mbps")), num(r.get("goodput_mbps")), 0.25, r.toString());
        }
        assertTrue(num(get(j, "carnage_cpu_share")) > 0.4, "carnage takes what no one reserved");
    }

    @Test
    void perfReportsNemesisAndSaysWhyLinuxIsMissing() throws Exception {
        Map<String, Object> j = run("perf").json();
        double n = num(get(j, "nemesis_mbps"));
        assertTrue(n > 50 && n < 65, "paper: more than 58, got " + n);
        assertTrue(j.containsKey("linux_mbps"));
        assertNull(j.get("linux_mbps"));
        assertTrue(((String) get(j, "linux_note")).contains("not measured"));
    }

    @Test
    void table1AgainstTheRealLinuxEverySenderGetsItsAimToo() throws Exception {
        String why = nemesis.linux.LinuxNamespace.unsupportedReason();
        org.junit.jupiter.api.Assumptions.assumeTrue(why == null, () -> "skipped: " + why);
        Map<String, Object> j = run("table1", Experiment.Receiver.TAP).json();
        String yaml = Files.readString(tmp.resolve("table1").resolve("table1.yaml"));
        assertTrue(yaml.contains("clock: real") && yaml.contains("kind: tap") && !yaml.contains("delay"), yaml);
        List<Map<String, Object>> rows = get(j, "rows");
        for (Map<String, Object> r : rows) {
            assertEquals(num(r.get("paper_mbps")), num(r.get("goodput_mbps")), 0.25, r.toString());
        }
    }

    @Test
    void onlyExperimentsWithALinuxReceiverHaveARealPeerForm() {
        for (String name : List.of("table1", "fig6", "perf")) {
            assertTrue(Experiments.find(name).supports(Experiment.Receiver.TAP), name);
        }
        for (String name : List.of("fig4", "fig5", "fig7")) {
            assertTrue(!Experiments.find(name).supports(Experiment.Receiver.TAP), name);
        }
        String tap = Runs.onTap(Table1.scenario());
        assertTrue(tap.contains("\nclock: real\n") && tap.contains("\npeer:\n  kind: tap\n") && !tap.contains("delay"), tap);
        org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class, () -> Runs.onTap("name: x\n"));
    }
}

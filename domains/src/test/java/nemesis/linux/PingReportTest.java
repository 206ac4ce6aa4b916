package nemesis.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** iputils ping 20221126's summary, as it printed it in a namespace. */
class PingReportTest {
    @Test
    void theSummaryIsParsedExactly() {
        Map<String, Object> f = PingReport.figures(List.of(
                "PING 198.51.100.1 (198.51.100.1) from 198.51.100.2 : 100(128) bytes of data.",
                "108 bytes from 198.51.100.1: icmp_seq=1 ttl=64 time=0.346 ms",
                "",
                "--- 198.51.100.1 ping statistics ---",
                "5 packets transmitted, 5 received, 0% packet loss, time 224ms",
                "rtt min/avg/max/mdev = 0.043/0.107/0.346/0.119 ms"));
        assertEquals(5L, f.get("sent"));
        assertEquals(5L, f.get("received"));
        assertEquals(0L, f.get("lost"));
        assertEquals(0.0, f.get("loss_percent"));
        assertEquals(0L, f.get("duplicates"));
        assertEquals(224L, f.get("time_ms"));
        assertEquals(43_000L, f.get("rtt_min_ns"));
        assertEquals(107_000L, f.get("rtt_avg_ns"));
        assertEquals(346_000L, f.get("rtt_max_ns"));
        assertEquals(119_000L, f.get("rtt_mdev_ns"));
    }

    @Test
    void noRepliesDuplicatesAndErrors() {
        Map<String, Object> none = PingReport.figures(List.of(
                "3 packets transmitted, 0 received, 100% packet loss, time 111ms"));
        assertEquals(3L, none.get("lost"));
        assertEquals(100.0, none.get("loss_percent"));
        assertEquals(0L, none.get("rtt_max_ns"));
        Map<String, Object> odd = PingReport.figures(List.of(
                "10 packets transmitted, 8 received, +2 duplicates, +1 errors, 20% packet loss, time 9012ms",
                "rtt min/avg/max/mdev = 1.5/2.25/3/0.5 ms"));
        assertEquals(2L, odd.get("duplicates"));
        assertEquals(1L, odd.get("errors"));
        assertEquals(2L, odd.get("lost"));
        assertEquals(2_250_000L, odd.get("rtt_avg_ns"));
        assertTrue(PingReport.figures(List.of("PING 198.51.100.1 ...")).isEmpty(), "no summary, no figures");
    }
}

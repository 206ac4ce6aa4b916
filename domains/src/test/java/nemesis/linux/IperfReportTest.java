package nemesis.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** iperf 2.1.8's output, as it printed it in a namespace (-f b, client with -e). */
class IperfReportTest {
    private static final List<String> SERVER = List.of(
            "------------------------------------------------------------",
            "Server listening on TCP port 5201",
            "TCP window size: 131072 Byte (default)",
            "------------------------------------------------------------",
            "[  1] local 198.51.100.1 port 5201 connected with 198.51.100.2 port 46377 (icwnd/mss/irtt=320/32768/24)",
            "[ ID] Interval       Transfer     Bandwidth",
            "[  1] 0.0000-1.0001 sec  3652976700 Bytes  29219752054 bits/sec",
            "[  2] local 198.51.100.1 port 5201 connected with 198.51.100.2 port 36579 (icwnd/mss/irtt=320/32768/23)",
            "Waiting for server threads to complete. Interrupt again to force quit.",
            "[ ID] Interval       Transfer     Bandwidth",
            "[  2] 0.0000-1.1994 sec  4393202905 Bytes  29302963878 bits/sec");

    private static final List<String> CLIENT_WITH_INTERVALS = List.of(
            "Client connecting to 198.51.100.1, TCP port 5201 with pid 27442 (1 flows)",
            "[  1] local 198.51.100.2%vb port 59451 connected with 198.51.100.1 port 5201 (sock=3) "
                    + "(icwnd/mss/irtt=319/32741/41) (ct=0.10 ms) on 2026-11-21 09:45:06 (UTC)",
            "[ ID] Interval            Transfer    Bandwidth       Write/Err  Rtry     Cwnd/RTT(var)        NetPwr",
            "[  1] 0.0000-0.5000 sec  1779564604 Bytes  28473033664 bits/sec  13577/0         22      895K/60(24) us  59318820",
            "[  1] 0.5000-1.0000 sec  1868038144 Bytes  29888610304 bits/sec  14252/0         13     1023K/25(9) us  149443052",
            "[  1] 1.0000-1.2084 sec  886046720 Bytes  34018370103 bits/sec  6760/0          3     1023K/1066(2059) us  3989021",
            "[  1] 0.0000-1.2084 sec  4533649468 Bytes  30015000173 bits/sec  34589/0         38     1023K/1066(2059) us  3519583");

    @Test
    void aServerReportsEachConnection() {
        IperfReport.Parsed p = IperfReport.parse(SERVER);
        assertEquals(2, p.finals().size());
        assertTrue(p.intervals().isEmpty());
        Map<String, Object> f = IperfReport.figures(p);
        assertEquals(2, f.get("connections"));
        assertEquals(3652976700L + 4393202905L, f.get("bytes"));
        assertEquals(29219752054L + 29302963878L, f.get("bits_per_second"));
        assertEquals(1.1994, (double) f.get("seconds"), 1e-12);
        assertEquals(2, ((List<?>) f.get("reports")).size());
    }

    @Test
    void oneConnectionIsReportedAsIperfPrintedIt() {
        IperfReport.Parsed p = IperfReport.parse(SERVER.subList(0, 7));
        Map<String, Object> f = IperfReport.figures(p);
        assertEquals(1, f.get("connections"));
        assertEquals(3652976700L, f.get("bytes"));
        assertEquals(29219752054L, f.get("bits_per_second"));
        assertEquals(1.0001, (double) f.get("seconds"), 1e-12);
        assertEquals("0.0000-1.0001", f.get("interval"));
        assertFalse(f.containsKey("reports"));
        assertFalse(f.containsKey("writes"), "a server has no write counts");
    }

    @Test
    void aClientsFinalReportFollowsItsIntervals() {
        Map<String, Object> f = IperfReport.figures(IperfReport.parse(CLIENT_WITH_INTERVALS));
        assertEquals(1, f.get("connections"));
        assertEquals(4533649468L, f.get("bytes"));
        assertEquals(30015000173L, f.get("bits_per_second"));
        assertEquals("0.0000-1.2084", f.get("interval"));
        assertEquals(34589L, f.get("writes"));
        assertEquals(0L, f.get("write_errors"));
        assertEquals(38L, f.get("retries"));
        List<?> intervals = (List<?>) f.get("intervals");
        assertEquals(3, intervals.size());
        assertEquals("1.0000-1.2084", ((Map<?, ?>) intervals.get(2)).get("interval"));
    }

    @Test
    void smallCountsArePrintedWithDecimals() {
        Map<String, Object> f = IperfReport.figures(IperfReport.parse(List.of(
                "[  2] 0.0000-0.0004 sec  96.0 Bytes  1850602 bits/sec",
                "[  3] 0.0000-0.0001 sec  0.000 Bytes  0.000 bits/sec")));
        assertEquals(2, f.get("connections"));
        assertEquals(96L, f.get("bytes"));
        assertEquals(1850602L, f.get("bits_per_second"));
    }

    @Test
    void nothingFinalWithoutAFinalReport() {
        Map<String, Object> f = IperfReport.figures(IperfReport.parse(CLIENT_WITH_INTERVALS.subList(0, 5)));
        assertEquals(0, f.get("connections"));
        assertEquals(0L, f.get("bytes"));
        assertEquals(2, ((List<?>) f.get("intervals")).size());
    }
}

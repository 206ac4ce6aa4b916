package nemesis.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The warm-up before wall-clock runs swallows its failures, so this checks that it does its work. */
class RealTimeWarmupTest {
    @ParameterizedTest
    @ValueSource(strings = {"ideal", "p200-de4x5", "p200-3c509"})
    @SuppressWarnings("unchecked")
    void theWarmupRunsTcpBothWaysUdpAndPingOnEveryMachine(String machine) throws Exception {
        Map<String, Object> r = RealTimeWarmup.runOnce(machine).results();
        Map<String, Map<String, Object>> d = (Map<String, Map<String, Object>>) r.get("domains");
        for (String name : new String[] {"tx", "rx", "udp"}) {
            assertTrue(((Number) d.get(name).get("bytes_delivered")).longValue() > 0, name + " delivered nothing on " + machine);
        }
        assertEquals(Boolean.TRUE, d.get("rx").get("verified"), machine);
        Map<String, Object> link = (Map<String, Object>) r.get("link");
        assertTrue(((Number) link.get("corrupted")).longValue() > 0, "the faulty wire's paths ran on " + machine);
    }
}

package nemesis.scenario;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class QuantitiesTest {

    @ParameterizedTest
    @CsvSource({
            "10ms, 10000000", "110us, 110000", "2s, 2000000000", "500ns, 500", "1.5ms, 1500000",
            "110µs, 110000", "110μs, 110000", "0, 0", "0ms, 0", "0.0, 0", "' 3 ms ', 3000000", ".5s, 500000000",
            "1.000ns, 1", "9223372036854775807ns, 9223372036854775807", "9223372036.854775807s, 9223372036854775807"})
    void durations(String text, long ns) {
        assertEquals(ns, Quantities.parseDurationNs(text));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "-1ms | must not be negative",
            "1.5ns | not a whole number of nanoseconds",
            "0.0001us | not a whole number of nanoseconds",
            "9223372036854775808ns | too large",
            "10000000000s | too large",
            "5 | has no unit",
            "1min | unknown unit 'min'",
            "10 parsecs | unknown unit 'parsecs'",
            "ms | is not a duration",
            "1e3ms | unknown unit 'e3ms'",
            "'' | is not a duration"})
    void badDurations(String text, String message) {
        var e = assertThrows(IllegalArgumentException.class, () -> Quantities.parseDurationNs(text));
        assertTrue(e.getMessage().contains(message), e.getMessage());
    }

    @Test
    void zeroWithAMinusSignIsStillZero() {
        assertEquals(0, Quantities.parseDurationNs("-0ms"));
    }

    @ParameterizedTest
    @CsvSource({
            "10Mbit/s, 10000000", "100Mbit/s, 100000000", "1Gbit/s, 1000000000", "64kbit/s, 64000",
            "64Kbit/s, 64000", "1500bit/s, 1500", "1.5Mbit/s, 1500000", "0, 0"})
    void rates(String text, long bps) {
        assertEquals(bps, Quantities.parseRateBps(text));
    }

    @ParameterizedTest
    @ValueSource(strings = {"10Mbps", "10MB/s", "10", "-1Mbit/s", "1.5bit/s", "10 mbit/s"})
    void badRates(String text) {
        assertThrows(IllegalArgumentException.class, () -> Quantities.parseRateBps(text));
    }

    @ParameterizedTest
    @CsvSource({"98%, 980000000", "0.98, 980000000", "100%, 1000000000", "1, 1000000000", "0, 0",
            "0.5%, 5000000", "0.0000001%, 1", "12.5 %, 125000000"})
    void fractions(String text, long ppb) {
        assertEquals(ppb, Quantities.parsePpb(text));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {"101% | more than 100%", "98 | more than 100%", "-5% | must not be negative",
            "0.00000000001 | finer than one part per billion", "98 percent | unknown unit"})
    void badFractions(String text, String message) {
        var e = assertThrows(IllegalArgumentException.class, () -> Quantities.parsePpb(text));
        assertTrue(e.getMessage().contains(message), e.getMessage());
    }

    @ParameterizedTest
    @CsvSource({"1500, 1500", "1500B, 1500", "64KiB, 65536", "1MiB, 1048576", "1GiB, 1073741824",
            "10MB, 10000000", "10kB, 10000", "1.5KiB, 1536", "0, 0"})
    void integers(String text, long value) {
        assertEquals(value, Quantities.parseInteger(text));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {"1.5 | not a whole number", "-3 | must not be negative",
            "10 apples | unknown unit 'apples'", "9223372036854775808 | too large", "16EiB | unknown unit"})
    void badIntegers(String text, String message) {
        var e = assertThrows(IllegalArgumentException.class, () -> Quantities.parseInteger(text));
        assertTrue(e.getMessage().contains(message), e.getMessage());
    }

    @Test
    void formatsExactly() {
        assertEquals("1.5ms", Quantities.formatNs(1_500_000));
        assertEquals("1.234567ms", Quantities.formatNs(1_234_567));
        assertEquals("20s", Quantities.formatNs(20_000_000_000L));
        assertEquals("999ns", Quantities.formatNs(999));
        assertEquals("0ns", Quantities.formatNs(0));
        assertEquals("10Mbit/s", Quantities.formatRate(10_000_000));
        assertEquals("1.5kbit/s", Quantities.formatRate(1_500));
        assertEquals("98%", Quantities.formatPpb(980_000_000));
        assertEquals("0.0000001%", Quantities.formatPpb(1));
    }

    @Property
    void durationsRoundTrip(@ForAll @LongRange(min = 0, max = Long.MAX_VALUE) long ns) {
        assertEquals(ns, Quantities.parseDurationNs(Quantities.formatNs(ns)));
    }

    @Property
    void roundDurationsRoundTrip(@ForAll @LongRange(min = 0, max = 1_000_000) long n) {
        for (long unit : new long[] {1, 1_000, 1_000_000, 1_000_000_000}) {
            assertEquals(n * unit, Quantities.parseDurationNs(Quantities.formatNs(n * unit)));
        }
    }

    @Property
    void ratesAndFractionsRoundTrip(@ForAll @LongRange(min = 0, max = Long.MAX_VALUE) long bps,
                                    @ForAll @LongRange(min = 0, max = 1_000_000_000L) long ppb) {
        assertEquals(bps, Quantities.parseRateBps(Quantities.formatRate(bps)));
        assertEquals(ppb, Quantities.parsePpb(Quantities.formatPpb(ppb)));
    }
}

package nemesis.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;

/** Parsing and formatting of MAC and IPv4 addresses, and the predicates. */
class AddressProperties {

    @Property(tries = 2000)
    void macFormatThenParseIsIdentity(@ForAll @LongRange(min = 0, max = 0xFFFF_FFFF_FFFFL) long mac) {
        String text = MacAddress.toString(mac);
        assertEquals(17, text.length());
        assertEquals(mac, MacAddress.parse(text));
        assertEquals(mac, MacAddress.parse(text.toUpperCase().replace(':', '-')));
    }

    @Example
    void macExamples() {
        assertEquals(0x0200_0000_0001L, MacAddress.parse("02:00:00:00:00:01"));
        assertEquals(0x0200_0000_0001L, MacAddress.parse("2:0:0:0:0:1"));
        assertEquals("ff:ff:ff:ff:ff:ff", MacAddress.toString(MacAddress.BROADCAST));
        assertTrue(MacAddress.isMulticast(MacAddress.BROADCAST));
        assertTrue(MacAddress.isMulticast(MacAddress.parse("01:00:5e:00:00:01")));
        assertFalse(MacAddress.isMulticast(MacAddress.parse("02:00:00:00:00:01")));
        assertTrue(MacAddress.isLocallyAdministered(MacAddress.parse("02:00:00:00:00:01")));
        assertTrue(MacAddress.isValid(MacAddress.BROADCAST));
        assertFalse(MacAddress.isValid(-1L));
        for (String bad : new String[] {"", "02:00:00:00:00", "02:00:00:00:00:01:", "02:00:00:00:00:001", "g2:00:00:00:00:01",
                "02:00:00:00:00:01:02", "02::00:00:00:01", "0200.0000.0001", "02:00-00:00:00:01"}) {
            assertThrows(IllegalArgumentException.class, () -> MacAddress.parse(bad), bad);
        }
    }

    @Property(tries = 2000)
    void ipv4FormatThenParseIsIdentity(@ForAll int addr) {
        assertEquals(addr, Ipv4Address.parse(Ipv4Address.toString(addr)));
    }

    @Example
    void ipv4Examples() {
        assertEquals(0x0A00_0001, Ipv4Address.parse("10.0.0.1"));
        assertEquals("192.168.1.254", Ipv4Address.toString(Ipv4Address.parse("192.168.1.254")));
        assertTrue(Ipv4Address.isBroadcast(Ipv4Address.parse("255.255.255.255")));
        assertTrue(Ipv4Address.isMulticast(Ipv4Address.parse("224.0.0.1")));
        assertTrue(Ipv4Address.isMulticast(Ipv4Address.parse("239.255.255.255")));
        assertFalse(Ipv4Address.isMulticast(Ipv4Address.parse("240.0.0.1")));
        assertFalse(Ipv4Address.isMulticast(Ipv4Address.parse("223.255.255.255")));
        assertTrue(Ipv4Address.isLoopback(Ipv4Address.LOOPBACK));
        assertEquals(Ipv4Address.parse("10.0.0.255"), Ipv4Address.directedBroadcast(Ipv4Address.parse("10.0.0.0"), 24));
        assertTrue(Ipv4Address.matches(Ipv4Address.parse("10.0.0.7"), Ipv4Address.parse("10.0.0.0"), 24));
        assertFalse(Ipv4Address.matches(Ipv4Address.parse("10.0.1.7"), Ipv4Address.parse("10.0.0.0"), 24));
        assertTrue(Ipv4Address.matches(Ipv4Address.parse("200.1.2.3"), 0, 0));
        for (String bad : new String[] {"", "10.0.0", "10.0.0.1.", "10.0.0.256", "10.0.0.01", "10.0.0.-1", "a.b.c.d",
                "10..0.1", "10.0.0.1 ", "1000.0.0.1"}) {
            assertThrows(IllegalArgumentException.class, () -> Ipv4Address.parse(bad), bad);
        }
        assertThrows(IllegalArgumentException.class, () -> Ipv4Address.mask(33));
    }

    @Property(tries = 3000)
    void prefixMatchAgreesWithComparingTheLeadingBits(@ForAll int addr, @ForAll int network, @ForAll @IntRange(max = 32) int prefix) {
        boolean expected = prefix == 0 || ((addr ^ network) >>> (32 - prefix)) == 0;
        assertEquals(expected, Ipv4Address.matches(addr, network, prefix));
        assertEquals(Long.bitCount(Ipv4Address.mask(prefix) & 0xFFFF_FFFFL), prefix);
        assertTrue(Ipv4Address.matches(network | ~Ipv4Address.mask(prefix), network, prefix));
    }
}

package nemesis.drivers.tap;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** What needs no root: names are checked before anything touches the system. */
class TunTapTest {
    @Test
    void badNamesAreRefusedBeforeAnySystemCall() {
        assertThrows(IllegalArgumentException.class, () -> TunTap.create("a-name-far-too-long"));
        assertThrows(IllegalArgumentException.class, () -> TunTap.create("bad/name"));
        assertThrows(IllegalArgumentException.class, () -> TunTap.create(""));
        assertThrows(IllegalArgumentException.class, () -> NetNamespace.create("not-ours"));
    }

    @Test
    void tunTapCanSayWhyItIsUnavailable() {
        String why = TunTap.unavailableReason();
        assertTrue(why == null || !why.isEmpty());
    }
}

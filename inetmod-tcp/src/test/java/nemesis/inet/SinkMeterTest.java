package nemesis.inet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

class SinkMeterTest {
    @Test
    void sequenceNumbersTellLossDuplicationAndReordering() {
        SequenceTracker t = new SequenceTracker();
        for (long s : new long[] {5, 6, 8, 9, 7, 7, 12, 10, 12}) {
            t.record(s);
        }
        // 11 never came; 7 and 10 came late; 7 and 12 twice
        assertEquals(1, t.lost());
        assertEquals(2, t.reordered());
        assertEquals(2, t.duplicates());
        assertEquals(12, t.highest());
    }

    @Test
    void aNumberFromBeforeTheWindowCountsAsADuplicate() {
        SequenceTracker t = new SequenceTracker();
        t.record(0);
        t.record(SequenceTracker.WINDOW + 10L);
        t.record(1);
        assertEquals(1, t.tooOld());
        assertEquals(SequenceTracker.WINDOW + 9L, t.lost());
    }

    @Test
    void thePatternCatchesAByteOutOfPlace() {
        byte[] b = new byte[3000];
        for (int size : new int[] {0, 1, 7, 8, 9, 1480, 3000}) {
            Pattern.fill(b, 0, size, 1234);
            assertTrue(Pattern.verify(b, 0, size));
            assertTrue(Pattern.verify(java.lang.foreign.MemorySegment.ofArray(b), 0, size));
            assertEquals(size >= 8 ? 1234 : 0, Pattern.sequence(b, 0, size));
            if (size > 0 && size != Pattern.SEQ_BYTES) { // 8 bytes are all sequence number: nothing to check
                b[size - 1] ^= 1;
                assertFalse(Pattern.verify(b, 0, size));
            }
        }
        // the data of another datagram, or at another offset, does not verify
        byte[] other = new byte[1500];
        Pattern.fill(other, 0, 1500, 1235);
        System.arraycopy(other, 8, b, 8, 1000);
        assertFalse(Pattern.verify(b, 0, 1500));
    }

    @Test
    void goodputCountsFromTheFirstDatagramOfTheWindow() {
        SinkMeter m = new SinkMeter(true, 1_000_000L);
        byte[] b = new byte[1000];
        for (int i = 0; i < 11; i++) {
            Pattern.fill(b, 0, 1000, i);
            m.record(b, 0, 1000, 500_000L + i * 100_000L); // 0.5 ms, then every 0.1 ms
        }
        // in the window (>= 1 ms): i = 5..10, 6 datagrams, the last 5 over 0.5 ms
        assertEquals(6, m.datagrams());
        assertEquals(5 * 1000 * 8 / 0.0005, m.goodputBps(), 1e-6);
        Map<String, Object> f = m.figures();
        assertEquals(true, f.get("verified"));
        assertEquals(11L, f.get("datagrams_total"));
        assertEquals(1_000_000L, f.get("first_ns"));
    }
}

package nemesis.drivers.sim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class FramePoolTest {
    @Test
    void isBoundedAndSaysSoWithNull() {
        FramePool pool = new FramePool(2);
        Frame a = pool.allocate();
        Frame b = pool.allocate();
        assertNotNull(a);
        assertNotNull(b);
        assertNull(pool.allocate());
        assertEquals(1, pool.allocateFailures());
        assertEquals(2, pool.inUse());
        a.release();
        assertEquals(1, pool.inUse());
        assertSame(a, pool.allocate(), "frames are reused, not made anew");
        a.release();
        b.release();
        assertEquals(0, pool.inUse());
    }

    @Test
    void refusesDoubleReleaseAndForeignFrames() {
        FramePool pool = new FramePool(2);
        Frame a = pool.allocate();
        a.release();
        assertThrows(IllegalStateException.class, a::release);
        Frame other = new FramePool(1).allocate();
        assertThrows(IllegalArgumentException.class, () -> pool.release(other));
    }

    @Test
    void copiesInAndOutOfArraysAndSegments() {
        FramePool pool = new FramePool(4);
        byte[] data = new byte[1518];
        Arrays.fill(data, (byte) 0x5a);
        data[0] = 1;
        Frame f = pool.copyOf(data, 0, data.length);
        assertEquals(Frame.CAPACITY, f.length());
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment seg = arena.allocate(4096);
            seg.set(ValueLayout.JAVA_BYTE, 100, (byte) 7);
            Frame g = pool.allocate().copyFrom(seg, 100, 60);
            assertEquals(60, g.length());
            assertEquals(7, g.bytes()[0]);
            f.copyTo(seg, 1000);
            assertEquals(1, seg.get(ValueLayout.JAVA_BYTE, 1000));
            assertEquals(0x5a, seg.get(ValueLayout.JAVA_BYTE, 1000 + 1517));
            g.release();
        }
        Frame c = pool.copyOf(f);
        assertArrayEquals(f.bytes(), c.bytes());
        f.release();
        c.release();
        assertThrows(IllegalArgumentException.class, () -> pool.copyOf(new byte[1519], 0, 1519));
        assertEquals(0, pool.inUse(), "a refused copy returns its frame");
    }

    @Test
    void aNewFrameHasLengthZero() {
        FramePool pool = new FramePool(1);
        Frame f = pool.allocate().length(100);
        f.release();
        assertEquals(0, pool.allocate().length());
    }
}

package nemesis.inet.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.util.SplittableRandom;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/** The TCP flyweight, the header writer and the checksum over pieces. */
class TcpHeaderTest {
    static final int SRC = 0xC0A8_0001; // 192.168.0.1
    static final int DST = 0xC0A8_00C7; // 192.168.0.199

    /** The reference checksum: RFC 793's pseudo-header spelled out as bytes, RFC 1071 word by word. */
    static int referenceChecksum(byte[] seg, int len, int src, int dst) {
        byte[] all = new byte[12 + len];
        for (int k = 0; k < 4; k++) {
            all[k] = (byte) (src >>> (24 - 8 * k));
            all[4 + k] = (byte) (dst >>> (24 - 8 * k));
        }
        all[9] = 6;
        all[10] = (byte) (len >>> 8);
        all[11] = (byte) len;
        System.arraycopy(seg, 0, all, 12, len);
        all[12 + 16] = 0;
        all[12 + 17] = 0;
        return ~Reference.sum(all, 0, all.length, 0) & 0xFFFF;
    }

    /** A SYN as Linux sends it: MSS 1460, SACK-permitted, timestamps, NOP, window scale 7. */
    static byte[] linuxSyn() {
        int[] b = {
            0xC3, 0x50, 0x00, 0x50, // ports 50000 → 80
            0x12, 0x34, 0x56, 0x78, // seq
            0x00, 0x00, 0x00, 0x00, // ack
            0xA0, 0x02, 0xFA, 0xF0, // data offset 10, SYN, window 64240
            0x00, 0x00, 0x00, 0x00, // checksum, urgent
            0x02, 0x04, 0x05, 0xB4, // MSS 1460
            0x04, 0x02, 0x08, 0x0A, // SACK-permitted, timestamps...
            0x00, 0x01, 0x02, 0x03, // TSval
            0x00, 0x00, 0x00, 0x00, // TSecr
            0x01, 0x03, 0x03, 0x07, // NOP, window scale 7
        };
        byte[] out = new byte[b.length];
        for (int i = 0; i < b.length; i++) {
            out[i] = (byte) b[i];
        }
        int c = referenceChecksum(out, out.length, SRC, DST);
        out[16] = (byte) (c >>> 8);
        out[17] = (byte) c;
        return out;
    }

    @Test
    void aLinuxSynParses() {
        byte[] b = linuxSyn();
        TcpHeader h = new TcpHeader().wrap(MemorySegment.ofArray(b), 0, b.length);
        assertEquals(TcpHeader.Check.OK, h.validate(b.length, SRC, DST));
        assertEquals(50000, h.srcPort());
        assertEquals(80, h.dstPort());
        assertEquals(0x12345678, h.seq());
        assertEquals(TcpHeader.SYN, h.flags());
        assertEquals(64240, h.window());
        assertEquals(40, h.headerLength());
        assertEquals(0, h.payloadLength());
        assertEquals(1460, h.mssOption());
        assertTrue(h.sackPermitted());
        assertTrue(h.hasTimestamps());
        assertEquals(0x00010203, h.tsVal());
        assertEquals(0, h.tsEcr());
        assertEquals(7, h.windowScaleOption());
        assertEquals(0, h.optionErrors());
        b[30] ^= 1;
        assertEquals(TcpHeader.Check.BAD_CHECKSUM, h.validate(b.length, SRC, DST));
        assertEquals(TcpHeader.Check.BAD_CHECKSUM, new TcpHeader().wrap(MemorySegment.ofArray(linuxSyn()), 0, 40)
                .validate(40, SRC, DST + 1), "the pseudo-header counts");
    }

    @Test
    void theWriterProducesWhatTheParserReads() {
        TcpHeaderOut o = new TcpHeaderOut();
        o.srcPort = 1;
        o.dstPort = 2;
        o.seq = -5;
        o.ack = 77;
        o.flags = TcpHeader.ACK | TcpHeader.PSH;
        o.window = 4096;
        o.timestamps = true;
        o.tsVal = 123;
        o.tsEcr = 456;
        o.sackCount = 4; // only three fit beside the timestamps
        for (int i = 0; i < 4; i++) {
            o.sackLeft[i] = 1000 * i;
            o.sackRight[i] = 1000 * i + 500;
        }
        assertEquals(3, o.sackRoom());
        byte[] b = new byte[o.headerLength() + 5];
        MemorySegment m = MemorySegment.ofArray(b);
        assertEquals(60, o.write(m, 0));
        TcpChecksum.fill(m, 0, b.length, SRC, DST);
        assertEquals(referenceChecksum(b, b.length, SRC, DST), Reference.u16(b, 16));
        TcpHeader h = new TcpHeader().wrap(m, 0, b.length);
        assertEquals(TcpHeader.Check.OK, h.validate(b.length, SRC, DST));
        assertEquals(-5, h.seq());
        assertEquals(3, h.sackCount());
        assertEquals(2000, h.sackLeft(2));
        assertEquals(2500, h.sackRight(2));
        assertEquals(456, h.tsEcr());
        assertEquals(5, h.payloadLength());
    }

    @Test
    void malformedOptionsStopParsingWithoutThrowing() {
        byte[] b = new byte[28];
        b[12] = (byte) 0x70;
        b[20] = 2; // MSS with length 0
        b[21] = 0;
        TcpHeader h = new TcpHeader().wrap(MemorySegment.ofArray(b), 0, b.length);
        assertEquals(TcpHeader.Check.OK, h.validateHeader(b.length));
        assertEquals(1, h.optionErrors());
        assertEquals(-1, h.mssOption());
        b[20] = 8; // timestamps running past the header
        b[21] = 10;
        assertEquals(TcpHeader.Check.OK, h.validateHeader(b.length));
        assertFalse(h.hasTimestamps());
        b[20] = 5; // SACK of length 7
        b[21] = 7;
        assertEquals(TcpHeader.Check.OK, h.validateHeader(b.length));
        assertEquals(0, h.sackCount());
        assertEquals(1, h.optionErrors());
    }

    @Test
    void badDataOffsetsAndShortSegmentsAreRefused() {
        byte[] b = new byte[40];
        TcpHeader h = new TcpHeader().wrap(MemorySegment.ofArray(b), 0, b.length);
        assertEquals(TcpHeader.Check.TRUNCATED, h.validate(19, SRC, DST));
        b[12] = 0x40; // 16 bytes
        assertEquals(TcpHeader.Check.BAD_DATA_OFFSET, h.validate(40, SRC, DST));
        b[12] = (byte) 0xF0; // 60 bytes of 40
        assertEquals(TcpHeader.Check.BAD_DATA_OFFSET, h.validate(40, SRC, DST));
    }

    /** Any bytes: validation and every accessor stay inside the wrapped range and never throw. */
    @Property(tries = 200)
    void randomBytesNeverThrow(@ForAll @IntRange(min = 0, max = 200) int n, @ForAll long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) r.nextInt(256);
        }
        if (n > 12 && r.nextBoolean()) {
            b[12] = (byte) ((5 + r.nextInt(11)) << 4);
        }
        TcpHeader h = new TcpHeader().wrap(MemorySegment.ofArray(b), 0, n);
        for (int k = 0; k < 50; k++) {
            h.validateHeader(r.nextInt(n + 2));
        }
        if (h.validateHeader(n) == TcpHeader.Check.OK) {
            assertTrue(h.payloadLength() >= 0);
            assertTrue(h.sackCount() <= 4);
            for (int i = 0; i < h.sackCount(); i++) {
                h.sackLeft(i);
            }
        }
    }

    /** The checksum over any split of a segment into pieces (odd lengths included) equals the one-piece checksum. */
    @Property(tries = 300)
    void piecesSumLikeTheWhole(@ForAll @IntRange(min = 20, max = 3000) int n, @ForAll long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) r.nextInt(256);
        }
        b[16] = 0;
        b[17] = 0;
        MemorySegment m = MemorySegment.ofArray(b);
        int want = referenceChecksum(b, n, SRC, DST);
        TcpChecksum c = new TcpChecksum().begin(SRC, DST, n);
        int at = 0;
        while (at < n) {
            int len = Math.min(n - at, 1 + r.nextInt(200));
            c.add(m, at, len);
            at += len;
        }
        assertEquals(want, c.finish());
        assertEquals(want, TcpChecksum.compute(SRC, DST, m, 0, 20, m, 20, n - 20));
    }
}

package nemesis.inet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;
import java.util.SplittableRandom;
import nemesis.wire.BigEndian;
import nemesis.wire.Ipv4Packet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class Ipv4FragmenterTest {
    final Arena arena = Arena.ofConfined();
    final SplittableRandom rnd = new SplittableRandom(7);

    @AfterEach
    void close() {
        arena.close();
    }

    @Test
    void fourThousandBytesOverEthernet() {
        MemorySegment d = Datagrams.datagram(arena, false, 4000, 0x4242, rnd);
        List<MemorySegment> frags = Datagrams.fragment(arena, d, 1500);
        assertEquals(3, frags.size());
        int[] lengths = {1500, 1500, 1060};
        int[] offsets = {0, 1480, 2960};
        for (int i = 0; i < 3; i++) {
            Ipv4Packet ip = Datagrams.wrap(frags.get(i));
            assertEquals(Ipv4Packet.Check.OK, ip.validate());
            assertEquals(lengths[i], ip.totalLength());
            assertEquals(offsets[i], ip.fragmentOffset());
            assertEquals(i < 2, ip.moreFragments());
            assertFalse(ip.dontFragment());
            assertEquals(0x4242, ip.identification());
            assertEquals(0x10, ip.tos());
            assertEquals(64, ip.ttl());
            assertEquals(Ipv4Packet.PROTO_UDP, ip.protocol());
            assertEquals(0x0A00_0001, ip.src());
            assertEquals(0x0A00_0002, ip.dst());
            assertTrue(MemorySegment.mismatch(d, 20 + offsets[i], 20 + offsets[i] + ip.payloadLength(),
                    frags.get(i), 20, ip.totalLength()) < 0, "fragment " + i + " carries the right bytes");
        }
    }

    @Test
    void onlyCopiedOptionsGoIntoLaterFragments() {
        MemorySegment d = Datagrams.datagram(arena, true, 1000, 1, rnd);
        List<MemorySegment> frags = Datagrams.fragment(arena, d, 576);
        Ipv4Packet first = Datagrams.wrap(frags.get(0));
        assertEquals(36, first.headerLength());
        assertEquals(576 - 36 - (576 - 36) % 8, first.payloadLength());
        assertArrayEquals(Datagrams.OPTIONS, frags.get(0).asSlice(20, 16).toArray(ValueLayout.JAVA_BYTE));
        for (MemorySegment f : frags.subList(1, frags.size())) {
            Ipv4Packet ip = Datagrams.wrap(f);
            assertEquals(Ipv4Packet.Check.OK, ip.validate());
            assertEquals(28, ip.headerLength());
            assertArrayEquals(Datagrams.COPIED_OPTIONS, f.asSlice(20, 8).toArray(ValueLayout.JAVA_BYTE));
        }
    }

    @Test
    void aFragmentCanBeFragmentedAgain() {
        MemorySegment d = Datagrams.datagram(arena, false, 4000, 1, rnd);
        MemorySegment middle = Datagrams.fragment(arena, d, 1500).get(1);   // offset 1480, MF
        List<MemorySegment> pieces = Datagrams.fragment(arena, middle, 576);
        assertEquals(3, pieces.size());
        int expectedOffset = 1480;
        for (MemorySegment p : pieces) {
            Ipv4Packet ip = Datagrams.wrap(p);
            assertEquals(Ipv4Packet.Check.OK, ip.validate());
            assertEquals(expectedOffset, ip.fragmentOffset());
            assertTrue(ip.moreFragments(), "every piece of a middle fragment has MF: more follow");
            expectedOffset += ip.payloadLength();
        }
        assertEquals(2960, expectedOffset);
        MemorySegment last = Datagrams.fragment(arena, d, 1500).get(2);
        List<MemorySegment> tail = Datagrams.fragment(arena, last, 576);
        assertFalse(Datagrams.wrap(tail.get(tail.size() - 1)).moreFragments(), "the last piece of the last fragment ends the datagram");
    }

    @Test
    void aDatagramThatFitsComesOutWholeWithItsChecksumRefilled() {
        MemorySegment d = Datagrams.datagram(arena, false, 100, 1, rnd);
        new Ipv4Packet().wrap(d, 0, 120).fragment(true, false, 0).headerChecksum(0);
        Ipv4Fragmenter f = new Ipv4Fragmenter();
        assertEquals(Ipv4Fragmenter.Result.OK, f.begin(d, 0, 120, 120));
        assertEquals(1, f.fragmentCount());
        assertEquals(120, f.nextLength());
        MemorySegment out = arena.allocate(120);
        assertEquals(120, f.next(out, 0));
        assertFalse(f.hasNext());
        assertEquals(Ipv4Packet.Check.OK, Datagrams.wrap(out).validate());
        assertThrows(IllegalStateException.class, () -> f.next(out, 0));
    }

    @Test
    void refusals() {
        Ipv4Fragmenter f = new Ipv4Fragmenter();
        MemorySegment d = Datagrams.datagram(arena, false, 1000, 1, rnd);
        assertEquals(Ipv4Fragmenter.Result.MTU_TOO_SMALL, f.begin(d, 0, 1020, 67));
        assertEquals(Ipv4Fragmenter.Result.OK, f.begin(d, 0, 1020, 68));
        assertEquals(21, f.fragmentCount());   // 48 bytes of data each: 20 + 48 = 68
        assertEquals(Ipv4Fragmenter.Result.BAD_PACKET, f.begin(d, 0, 1019, 576), "Total Length beyond the bytes");
        assertFalse(f.hasNext());
        new Ipv4Packet().wrap(d, 0, 1020).fragment(true, false, 0).fillChecksum();
        assertEquals(Ipv4Fragmenter.Result.DONT_FRAGMENT, f.begin(d, 0, 1020, 576));
        new Ipv4Packet().wrap(d, 0, 1020).fragment(false, true, 65528 - 8 * 16).fillChecksum();
        assertEquals(Ipv4Fragmenter.Result.BAD_PACKET, f.begin(d, 0, 1020, 576), "data would end past 65535");

        MemorySegment o = Datagrams.datagram(arena, true, 1000, 1, rnd);
        BigEndian.u8(o, 22, 40);   // the copied option claims 40 bytes: runs past the header
        assertEquals(Ipv4Fragmenter.Result.BAD_OPTIONS, f.begin(o, 0, 1036, 576));
        BigEndian.u8(o, 22, 1);    // length below 2
        assertEquals(Ipv4Fragmenter.Result.BAD_OPTIONS, f.begin(o, 0, 1036, 576));
        BigEndian.u8(o, 22, 7);
        assertEquals(Ipv4Fragmenter.Result.OK, f.begin(o, 0, 1036, 576));
        // A 60-byte header leaves 8 bytes of data at MTU 68; the first fragment still fits.
        MemorySegment big = arena.allocate(60 + 100);
        new Ipv4Packet().wrap(big, 0, 160).headerLength(60).totalLength(160).fragment(false, false, 0).ttl(1).fillChecksum();
        for (int i = 20; i < 60; i++) {
            BigEndian.u8(big, i, 1);
        }
        assertEquals(Ipv4Fragmenter.Result.OK, f.begin(big, 0, 160, 68));
        assertEquals(8, f.nextLength() - 60);
    }
}

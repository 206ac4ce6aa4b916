package nemesis.inet.host;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import nemesis.inet.ArpCache;
import nemesis.inet.Pattern;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import nemesis.wire.MacAddress;

class HostStackTest {
    static final long S = 1_000_000_000L;

    static MemorySegment pattern(int len, long seq) {
        MemorySegment m = MemorySegment.ofArray(new byte[Math.max(len, 1)]);
        Pattern.fill(m, 0, len, seq);
        return m;
    }

    /** What a UDP handler received. */
    static final class Received {
        final List<byte[]> payloads = new ArrayList<>();
        final List<Integer> sources = new ArrayList<>();

        HostStack.UdpHandler handler() {
            return (src, sport, dport, p, off, len, now) -> {
                payloads.add(p.asSlice(off, len).toArray(ValueLayout.JAVA_BYTE));
                sources.add(sport);
            };
        }
    }

    @Nested
    class Arp {
        @Test
        void theFirstDatagramWaitsForTheAnswerAndLaterOnesDoNot() {
            Wire w = new Wire();
            Received got = new Received();
            w.b.bindUdp(9, got.handler());
            assertEquals(HostStack.Sent.HELD, w.a.sendUdp(1000, Wire.B.ip(), 9, pattern(100, 1), 0, 100, 0));
            assertEquals(1, w.fromA.size(), "an ARP request");
            assertEquals(0x0806, (w.fromA.get(0)[12] & 0xFF) << 8 | w.fromA.get(0)[13] & 0xFF);
            w.pump(0);
            assertEquals(1, got.payloads.size(), "sent when the answer came");
            assertEquals(ArpCache.State.COMPLETE, w.a.arp().state(Wire.B.ip()));
            assertEquals(ArpCache.State.COMPLETE, w.b.arp().state(Wire.A.ip()), "B learnt A from its request");
            assertEquals(HostStack.Sent.SENT, w.a.sendUdp(1000, Wire.B.ip(), 9, pattern(100, 2), 0, 100, 1));
            assertEquals(HostStack.Sent.SENT, w.b.sendUdp(9, Wire.A.ip(), 1000, pattern(10, 2), 0, 10, 1));
            w.pump(1);
            assertEquals(2, got.payloads.size());
            assertEquals(1, w.a.arp().requestsSent());
            assertEquals(0, w.b.arp().requestsSent());
        }

        @Test
        void anUnansweredAddressIsAskedThreeTimesASecondApartThenGivenUp() {
            Wire w = new Wire();
            int absent = 0x0A00_0009;
            assertEquals(HostStack.Sent.HELD, w.a.sendUdp(1000, absent, 9, pattern(3000, 1), 0, 3000, 0));
            w.lose();
            assertEquals(1 * S, w.a.nextTimerNs());
            w.a.poll(1 * S - 1);
            assertEquals(1, w.fromA.size(), "nothing before the timer");
            w.a.poll(1 * S);
            w.a.poll(2 * S);
            assertEquals(3, w.fromA.size(), "three requests");
            w.a.poll(3 * S);
            assertEquals(3, w.a.outputDrops().get(HostStack.OutputDrop.ARP_DROPPED), "the 3 fragments held");
            assertEquals(HostStack.Sent.UNREACHABLE, w.a.sendUdp(1000, absent, 9, pattern(10, 1), 0, 10, 4 * S),
                    "down for the hold-down");
        }

        @Test
        void garbageArpTeachesNothing() {
            Wire w = new Wire();
            byte[] f = new byte[42];
            // a request for A from a broadcast sender MAC
            MemorySegment m = MemorySegment.ofArray(f);
            nemesis.inet.Headers.ethernet(m, 0, MacAddress.BROADCAST, MacAddress.BROADCAST, 0x0806);
            new nemesis.inet.wire.ArpPacket().wrap(m, 14, 28).request(MacAddress.BROADCAST, 0x0A00_0005, Wire.A.ip());
            w.a.receive(f, f.length, 0);
            assertEquals(ArpCache.State.FREE, w.a.arp().state(0x0A00_0005));
            assertEquals(1, w.a.drops().get(HostStack.Drop.ARP_BAD_SENDER));
            assertEquals(0, w.a.unaccountedFrames());
        }
    }

    @Nested
    class Fragmentation {
        @Test
        void largeDatagramsArriveWholeInAnyOrderBothWays() {
            Random r = new Random(1);
            for (int size : new int[] {1473, 8192, 61440, 65507}) {
                Wire w = new Wire();
                Received atA = new Received();
                Received atB = new Received();
                w.a.bindUdp(1000, atA.handler());
                w.b.bindUdp(9, atB.handler());
                w.a.sendUdp(1000, Wire.B.ip(), 9, pattern(size, 7), 0, size, 0);
                w.pumpShuffled(0, r);
                w.b.sendUdp(9, Wire.A.ip(), 1000, pattern(size, 8), 0, size, 0);
                w.pumpShuffled(0, r);
                assertEquals(1, atB.payloads.size(), "size " + size);
                assertEquals(1, atA.payloads.size(), "size " + size);
                assertArrayEquals(pattern(size, 7).asSlice(0, size).toArray(ValueLayout.JAVA_BYTE), atB.payloads.get(0));
                assertArrayEquals(pattern(size, 8).asSlice(0, size).toArray(ValueLayout.JAVA_BYTE), atA.payloads.get(0));
                assertEquals(0, w.a.unaccountedDatagrams() + w.b.unaccountedDatagrams());
            }
        }

        @Test
        void anIncompleteDatagramTimesOutAndItsBufferIsFreed() {
            Wire w = new Wire();
            Received atB = new Received();
            w.b.bindUdp(9, atB.handler());
            w.a.addStaticArp(Wire.B.ip(), Wire.B.mac());
            w.a.sendUdp(1000, Wire.B.ip(), 9, pattern(4000, 1), 0, 4000, 0);
            w.queue.pollLast(); // the last fragment is lost
            w.pump(0);
            assertEquals(0, atB.payloads.size());
            assertEquals(30 * S, w.b.nextTimerNs());
            w.b.poll(30 * S - 1);
            assertEquals(0, w.b.ipv4().reassembler().timeouts());
            w.b.poll(30 * S);
            assertEquals(1, w.b.ipv4().reassembler().timeouts());
            assertEquals(0, w.b.ipv4().reassembler().inProgress());
        }
    }

    @Nested
    class Icmp {
        @Test
        void echoRequestsAreAnsweredWithTheirData() {
            Wire w = new Wire();
            List<String> replies = new ArrayList<>();
            w.a.onEchoReply((src, id, seq, d, off, len, now) ->
                    replies.add(id + "/" + seq + "/" + len + "/" + Pattern.verify(d, off, len)));
            for (int size : new int[] {0, 56, 1472, 4000}) {
                w.a.sendEcho(Wire.B.ip(), 77, size, pattern(size, size), 0, size, 0);
                w.pump(0);
            }
            assertEquals(List.of("77/0/0/true", "77/56/56/true", "77/1472/1472/true", "77/4000/4000/true"), replies);
            assertEquals(4, w.b.echoRequestsAnswered());
        }

        @Test
        void udpToAClosedPortIsAnsweredPortUnreachableQuotingItsHeader() {
            Wire w = new Wire();
            w.a.sendUdp(1000, Wire.B.ip(), 4242, pattern(100, 1), 0, 100, 0);
            w.pump(0);
            assertEquals(1, w.b.icmpErrorsSent());
            assertEquals(1, w.a.portUnreachablesReceived());
            byte[] err = w.fromB.get(w.fromB.size() - 1);
            assertEquals(14 + 20 + 8 + 28, err.length, "IP header and 8 bytes quoted");
            assertEquals(3, err[34]);
            assertEquals(3, err[35]);
        }

        @Test
        void noErrorIsSentAboutAnError() {
            Wire w = new Wire();
            w.b.addStaticArp(Wire.A.ip(), Wire.A.mac());
            // A has no port 1000: B's datagram causes an error; an error about that error must not follow.
            w.b.sendUdp(9, Wire.A.ip(), 1000, pattern(10, 1), 0, 10, 0);
            w.pump(0);
            assertEquals(1, w.a.icmpErrorsSent());
            assertEquals(0, w.b.icmpErrorsSent());
        }
    }
}

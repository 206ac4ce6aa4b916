package nemesis.inet.tcp;

import static nemesis.inet.tcp.Rig.MS;
import static nemesis.inet.tcp.Rig.S;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import nemesis.inet.tcp.TcpCounters.Drop;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** MSS, window scaling, timestamps and PAWS, SACK, initial sequence numbers. */
class TcpOptionsTest {

    @Nested
    class Mss {
        @Test
        void withoutAnMssOptionThePeerGets536() {
            Rig r = Rig.synSent(Rig.plain(), 0);
            r.seg().syn().ack(1).seq(0).in(10 * MS);
            assertEquals(536, r.c.effMss());
            r.take();
            r.snd.write(2000, 1);
            r.c.send(20 * MS);
            assertEquals(536, r.sent.get(0).len());
        }

        @Test
        void theSmallerOfOursAndThePeersIsUsed() {
            Rig r = Rig.synSent(Rig.plain().toBuilder().mss(1000).build(), 0);
            assertEquals(1000, r.last().mss());
            r.seg().syn().ack(1).seq(0).mss(1460).in(10 * MS);
            assertEquals(1000, r.c.effMss());
            Rig q = Rig.synSent(Rig.plain(), 0);
            q.seg().syn().ack(1).seq(0).mss(9000).in(10 * MS);
            assertEquals(1460, q.c.effMss());
            Rig z = Rig.synSent(Rig.plain(), 0);
            z.seg().syn().ack(1).seq(0).mss(1).in(10 * MS);
            assertEquals(TcpConnection.MIN_PEER_MSS, z.c.effMss(), "absurd values are raised");
        }

        @Test
        void timestampsTakeTwelveBytesOfEverySegment() {
            Rig r = Rig.synSent(TcpConfig.modern(), 0);
            r.seg().syn().ack(1).seq(0).mss(1460).ts(1, r.last().tsVal()).in(10 * MS);
            assertEquals(1448, r.c.effMss());
        }
    }

    @Nested
    class WindowScale {
        @Test
        void bothEndsMustOfferIt() {
            Rig r = Rig.synSent(TcpConfig.modern(), 0);
            r.seg().syn().ack(1).seq(0).mss(1460).win(1000).in(10 * MS);
            assertFalse(r.c.windowScaling());
            assertEquals(0, r.c.rcvScale());
            assertEquals(65535, r.last().window(), "unscaled: at most 65535 of our 256 KiB");
        }

        @Test
        void windowsAreShiftedBothWays() {
            Rig r = Rig.synSent(TcpConfig.modern(), 0);
            r.seg().syn().ack(1).seq(0).mss(1460).wscale(2).win(1000).in(10 * MS);
            assertTrue(r.c.windowScaling());
            assertEquals(1000, r.c.sndWnd(), "the SYN's own window is not scaled");
            assertEquals(256 * 1024 >> 3, r.last().window(), "ours: 256 KiB >> 3");
            r.seg().ack(1).seq(1).win(1000).in(20 * MS);
            assertEquals(4000, r.c.sndWnd(), "theirs: 1000 << 2");
        }

        @Test
        void aShiftAbove14CountsAs14() {
            Rig r = Rig.synSent(TcpConfig.modern(), 0);
            r.seg().syn().ack(1).seq(0).wscale(20).in(10 * MS);
            assertEquals(14, r.c.sndScale(), "RFC 7323 §2.3");
        }
    }

    @Nested
    class Timestamps {
        Rig withTimestamps() {
            Rig r = Rig.synSent(TcpConfig.modern().toBuilder().sack(false).windowScaling(false).build(), 0);
            r.seg().syn().ack(1).seq(0).mss(1460).ts(1000, r.last().tsVal()).in(10 * MS);
            assertTrue(r.c.timestamps());
            r.take();
            return r;
        }

        @Test
        void everySegmentEchoesTheLatestTimestamp() {
            Rig r = withTimestamps();
            r.seg().ack(1).seq(1).data(10).ts(1005, 0).in(50 * MS);
            r.timers(200 * MS);
            Rig.Out a = r.last();
            assertTrue(a.ts());
            assertEquals(1005, a.tsEcr());
        }

        @Test
        void pawsDropsAnOlderTimestampAndAcknowledges() {
            Rig r = withTimestamps();
            r.seg().ack(1).seq(1).data(10).ts(1005, 0).in(50 * MS);
            r.seg().ack(1).seq(11).data(10).ts(1004, 0).in(60 * MS);
            assertEquals(10, r.rcv.size());
            assertEquals(1, r.c.counters().get(Drop.PAWS));
            assertEquals(11, r.last().ack());
        }

        @Test
        void aSegmentWithoutTimestampsIsDroppedOnceTheyAreNegotiated() {
            Rig r = withTimestamps();
            r.seg().ack(1).seq(1).data(10).in(50 * MS);
            assertEquals(0, r.rcv.size());
            assertEquals(1, r.c.counters().get(Drop.NO_TIMESTAMP));
            r.seg().rst().seq(1).in(60 * MS);
            assertEquals(TcpState.CLOSED, r.c.state(), "a RST needs none");
        }

        @Test
        void ourClockTicksInMilliseconds() {
            Rig r = withTimestamps();
            r.snd.write(10, 1);
            r.c.send(50 * MS);
            int t1 = r.last().tsVal();
            r.c.abort(1050 * MS);
            assertEquals(1000, r.last().tsVal() - t1);
        }
    }

    @Nested
    class Sack {
        Rig withSack() {
            Rig r = Rig.synSent(Rig.plain().toBuilder().sack(true).build(), 0);
            r.seg().syn().ack(1).seq(0).mss(1460).sackOk().in(10 * MS);
            assertTrue(r.c.sack());
            r.take();
            return r;
        }

        @Test
        void outOfOrderDataIsReportedNewestBlockFirst() {
            Rig r = withSack();
            r.seg().ack(1).seq(1001).data(100).in(50 * MS);
            assertArrayEquals(new long[] {1001, 1101}, r.last().sack());
            r.seg().ack(1).seq(3001).data(100).in(51 * MS);
            assertArrayEquals(new long[] {3001, 3101, 1001, 1101}, r.last().sack());
            r.seg().ack(1).seq(1101).data(100).in(52 * MS);
            assertArrayEquals(new long[] {1001, 1201, 3001, 3101}, r.last().sack(), "the block that grew comes first");
            r.seg().ack(1).seq(1).data(1000).in(53 * MS);
            assertArrayEquals(new long[] {3001, 3101}, r.last().sack());
            assertEquals(1201, r.last().ack());
        }

        @Test
        void withoutSackPermittedNoBlocksAreSent() {
            Rig r = Rig.established();
            r.seg().ack(1).seq(1001).data(100).in(50 * MS);
            assertEquals(0, r.last().sack().length);
        }
    }

    @Nested
    class InitialSequenceNumbers {
        @Test
        void theClockAdvancesTheIsnEveryFourMicroseconds() {
            int a = Isn.isn(1, 2, 10, 1000, 20, 80, 0);
            int b = Isn.isn(1, 2, 10, 1000, 20, 80, 4_000_000L);
            assertEquals(1000, b - a, "RFC 6528: M + F, M in 4 µs ticks");
        }

        @Test
        void theHashSeparatesConnectionsAndKeys() {
            int a = Isn.isn(1, 2, 10, 1000, 20, 80, 0);
            assertNotEquals(a, Isn.isn(1, 2, 10, 1001, 20, 80, 0));
            assertNotEquals(a, Isn.isn(1, 2, 11, 1000, 20, 80, 0));
            assertNotEquals(a, Isn.isn(1, 3, 10, 1000, 20, 80, 0));
            assertEquals(a, Isn.isn(1, 2, 10, 1000, 20, 80, 0), "the same key and time: the same ISN (runs repeat)");
        }

        @Test
        void sipHashMatchesTheReferenceVector() {
            // SipHash-2-4 paper, Appendix A: key 00..0f, message 00..0f → db 9b c2 57 7f cc 2a 3f (LE)
            long k0 = 0x0706050403020100L;
            long k1 = 0x0F0E0D0C0B0A0908L;
            assertEquals(0x3f2acc7f57c29bdbL, Isn.sipHash24(k0, k1, 0x0706050403020100L, 0x0F0E0D0C0B0A0908L));
        }

        @Test
        void connectionsUseTheConfiguredKey() {
            Rig r1 = Rig.synSent(Rig.plain(), 7 * S);
            Rig r2 = Rig.synSent(Rig.plain().withIsnKey(99, 100), 7 * S);
            assertNotEquals(r1.c.iss(), r2.c.iss());
            assertEquals(Isn.isn(Rig.plain().isnKey0(), Rig.plain().isnKey1(), Rig.LOCAL_IP, Rig.LOCAL_PORT,
                    Rig.REMOTE_IP, Rig.REMOTE_PORT, 7 * S), r1.c.iss());
        }
    }
}

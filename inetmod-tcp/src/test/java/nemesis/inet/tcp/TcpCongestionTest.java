package nemesis.inet.tcp;

import static nemesis.inet.tcp.Rig.MS;
import static nemesis.inet.tcp.Rig.S;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import nemesis.inet.tcp.TcpCounters.Event;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** RFC 5681, 6582, 6675, 6298 and Karn's rule, segment by segment. SMSS is 1460 throughout. */
class TcpCongestionTest {
    static final int M = 1460;

    /** ESTABLISHED with {@code segments} full segments sent at 100 ms (the window allowing). */
    static Rig sending(TcpConfig cfg, int segments, boolean peerSack) {
        Rig r = new Rig(cfg);
        r.c.connect(0);
        Rig.Seg sa = r.seg().syn().ack(1).seq(0).mss(1460);
        if (peerSack) {
            sa.sackOk();
        }
        sa.in(10 * MS);
        r.take();
        r.snd.write(segments * M, 3);
        r.c.send(100 * MS);
        return r;
    }

    static TcpConfig iw(int segments) {
        return Rig.plain().toBuilder().initialWindow(segments).receiveBuffer(1 << 20).build();
    }

    static TcpConfig sackIw(int segments) {
        return iw(segments).toBuilder().sack(true).build();
    }

    @Nested
    class SlowStartAndCongestionAvoidance {
        @Test
        void slowStartGrowsByOneSegmentPerAck() {
            Rig r = sending(iw(1), 20, false);
            assertEquals(1, r.take().size());
            assertEquals(M, r.c.cwnd());
            r.seg().ack(1 + M).seq(1).in(110 * MS);
            assertEquals(2 * M, r.c.cwnd());
            assertEquals(2, r.take().size(), "two segments out");
            r.seg().ack(1 + 3 * M).seq(1).in(120 * MS);
            assertEquals(3 * M, r.c.cwnd(), "an ACK of two segments adds one SMSS: min(N, SMSS) (RFC 5681 (2))");
        }

        @Test
        void congestionAvoidanceGrowsBySmssSquaredOverCwnd() {
            Rig r = sending(iw(4), 20, false);
            r.timers(1 * S); // RTO: ssthresh = max(4·M/2, 2·M) = 2·M, cwnd = M
            assertEquals(2 * M, r.c.ssthresh());
            assertEquals(M, r.c.cwnd());
            r.seg().ack(1 + M).seq(1).in(1010 * MS);
            assertEquals(2 * M, r.c.cwnd(), "slow start up to ssthresh");
            r.seg().ack(1 + 2 * M).seq(1).in(1020 * MS);
            assertEquals(2 * M + M / 2, r.c.cwnd(), "+ SMSS·SMSS/cwnd = 730 (RFC 5681 (3))");
        }
    }

    @Nested
    class NewReno {
        /** 10 segments out, the first acknowledged: segment 2 is "lost". */
        Rig afterFirstAck() {
            Rig r = sending(iw(10), 14, false);
            assertEquals(10, r.take().size());
            r.seg().ack(1 + M).seq(1).in(110 * MS);
            r.take();
            return r;
        }

        @Test
        void theThirdDuplicateAckTriggersFastRetransmit() {
            Rig r = afterFirstAck();
            long cwnd = r.c.cwnd();
            r.seg().ack(1 + M).seq(1).in(111 * MS);
            r.seg().ack(1 + M).seq(1).in(112 * MS);
            assertEquals(2, r.c.dupAcks());
            assertFalse(r.c.inRecovery());
            List<Rig.Out> lt = r.take();
            assertEquals(2, lt.size(), "Limited Transmit: one new segment per duplicate (RFC 3042)");
            assertEquals(1 + 12 * M, lt.get(0).seq(), "the first ACK slid the window and grew it: 11 and 12 went then");
            assertEquals(cwnd, r.c.cwnd(), "cwnd unchanged");
            r.seg().ack(1 + M).seq(1).in(113 * MS);
            assertTrue(r.c.inRecovery());
            Rig.Out re = r.take().get(0);
            assertEquals(1 + M, re.seq(), "the first unacknowledged segment");
            long flight = 14 * M - M;
            assertEquals(flight / 2, r.c.ssthresh());
            assertEquals(flight / 2 + 3 * M, r.c.cwnd(), "ssthresh + 3·SMSS (RFC 6582 step 2)");
            assertEquals(1, r.c.counters().get(Event.REXMT_SEGS_FAST));
        }

        @Test
        void furtherDuplicatesInflateTheWindowAndSendNewData() {
            Rig r = afterFirstAck();
            for (int i = 0; i < 3; i++) {
                r.seg().ack(1 + M).seq(1).in(111 * MS + i);
            }
            r.take();
            long cwnd = r.c.cwnd();
            r.seg().ack(1 + M).seq(1).in(115 * MS);
            assertEquals(cwnd + M, r.c.cwnd());
        }

        @Test
        void aPartialAckRetransmitsTheNextHoleAndAFullAckEndsRecovery() {
            Rig r = afterFirstAck();
            for (int i = 0; i < 3; i++) {
                r.seg().ack(1 + M).seq(1).in(111 * MS + i);
            }
            r.take();
            long cwnd = r.c.cwnd();
            // segments 2..4 arrive (the retransmission filled the hole), segment 5 was lost too
            r.seg().ack(1 + 4 * M).seq(1).in(120 * MS);
            assertTrue(r.c.inRecovery());
            Rig.Out re = r.take().get(0);
            assertEquals(1 + 4 * M, re.seq(), "the next hole at once");
            assertEquals(cwnd - 3 * M + M, r.c.cwnd(), "deflated by what was acknowledged, plus one SMSS");
            assertEquals(1, r.c.counters().get(Event.PARTIAL_ACKS));
            assertEquals(1, r.c.counters().get(Event.REXMT_SEGS_PARTIAL_ACK));
            r.seg().ack(1 + 13 * M).seq(1).in(130 * MS);
            assertTrue(r.c.inRecovery(), "recover is SND.MAX at the third duplicate: 14 segments");
            r.seg().ack(1 + 14 * M).seq(1).in(131 * MS);
            assertFalse(r.c.inRecovery());
            assertEquals(Math.min(r.c.ssthresh(), M + M), r.c.cwnd(), "min(ssthresh, max(FlightSize, SMSS) + SMSS)");
        }

        @Test
        void afterATimeoutDuplicatesBelowRecoverDoNotRetransmitAgain() {
            Rig r = afterFirstAck();
            r.timers(r.c.retransmitDeadlineNs());
            r.take();
            for (int i = 0; i < 3; i++) {
                r.seg().ack(1 + M).seq(1).in(1200 * MS + i);
            }
            assertFalse(r.c.inRecovery(), "RFC 6582: the ACK does not cover recover");
            assertEquals(1, r.c.counters().get(Event.FAST_RETRANSMITS_SUPPRESSED));
        }
    }

    @Nested
    class SackRecovery {
        /** 10 segments out; segment 2 (and maybe others) lost; SACKs arrive for what got through. */
        Rig sack() {
            Rig r = sending(sackIw(10), 10, true);
            assertTrue(r.c.sack());
            assertEquals(10, r.take().size());
            return r;
        }

        long seg(int k) {
            return 1 + (long) (k - 1) * M; // where segment k starts
        }

        @Test
        void threeSacksEnterRecoveryAndPipeCountsWhatIsInFlight() {
            Rig r = sack();
            r.seg().ack(seg(2)).seq(1).sack(seg(3), seg(4)).in(110 * MS);
            r.seg().ack(seg(2)).seq(1).sack(seg(3), seg(5)).in(111 * MS);
            assertFalse(r.c.inRecovery(), "two segments SACKed: not more than (DupThresh − 1)·SMSS");
            r.seg().ack(seg(2)).seq(1).sack(seg(3), seg(6)).in(112 * MS);
            assertTrue(r.c.inRecovery());
            Rig.Out re = r.take().get(0);
            assertEquals(seg(2), re.seq());
            assertEquals(M, re.len());
            assertEquals(9 * M / 2, r.c.ssthresh());
            assertEquals(r.c.ssthresh(), r.c.cwnd(), "cwnd = ssthresh (RFC 6675 4.2)");
            // pipe: the lost hole counts once (retransmitted), segments 6..10 are in flight
            assertEquals(M + 5 * M, r.c.pipe());
            assertEquals(1, r.c.counters().get(Event.SACK_RECOVERY_ENTRIES));
        }

        @Test
        void aDuplicateAckWithoutNewSackInformationIsNotCounted() {
            Rig r = sack();
            r.seg().ack(seg(2)).seq(1).sack(seg(3), seg(4)).in(110 * MS);
            r.seg().ack(seg(2)).seq(1).sack(seg(3), seg(4)).in(111 * MS);
            assertEquals(0, r.c.dupAcks(), "RFC 6675 §2: only new SACK information makes a duplicate");
            r.seg().ack(seg(2)).seq(1).sack(seg(3), seg(5)).in(112 * MS);
            assertEquals(1, r.c.dupAcks());
        }

        @Test
        void nextSegRetransmitsEveryLostHoleThenTheRescue() {
            Rig r = sack();
            r.seg().ack(seg(2)).seq(1).in(105 * MS);
            // segments 2 and 10 lost; 3..9 SACKed at once: IsLost(HighACK + 1) on the first duplicate
            r.seg().ack(seg(2)).seq(1).sack(seg(3), seg(10)).in(110 * MS);
            assertTrue(r.c.inRecovery());
            List<Rig.Out> out = r.take();
            assertEquals(seg(2), out.get(0).seq(), "rule 1: the lost hole");
            assertEquals(seg(10), out.get(1).seq(), "rule 3: the unSACKed tail");
            assertEquals(1, r.c.counters().get(Event.REXMT_SEGS_SACK));
            // the retransmission of 2 arrives: a partial ACK up to segment 10
            r.seg().ack(seg(10)).seq(1).in(130 * MS);
            Rig.Out rescue = r.take().get(0);
            assertEquals(seg(10), rescue.seq(), "rule 4: the rescue retransmission of the highest unSACKed segment");
            assertEquals(1, r.c.counters().get(Event.REXMT_SEGS_RESCUE));
            r.seg().ack(seg(10)).seq(1).in(131 * MS);
            assertEquals(1, r.c.counters().get(Event.REXMT_SEGS_RESCUE), "one rescue per recovery");
            r.seg().ack(seg(11)).seq(1).in(140 * MS);
            assertFalse(r.c.inRecovery());
        }

        @Test
        void sackBlocksBeyondWhatWasSentAreIgnored() {
            Rig r = sack();
            r.seg().ack(seg(2)).seq(1).sack(seg(3), seg(12)).in(110 * MS);
            assertEquals(0, r.c.scoreboardRanges());
            assertEquals(0, r.c.dupAcks());
        }
    }

    @Nested
    class RetransmissionTimer {
        @Test
        void theBackoffFollowsBsdsTableUpToSixtySeconds() {
            Rig r = sending(iw(1), 1, false);
            long[] expected = {2, 4, 8, 16, 32, 60, 60};
            for (long e : expected) {
                r.timers(r.c.retransmitDeadlineNs());
                assertEquals(e * S, r.c.currentRtoNs());
            }
            assertEquals(7, r.c.backoffShift());
        }

        @Test
        void karnNoSampleFromARetransmittedSegment() {
            Rig r = sending(iw(1), 1, false);
            long samples = r.c.counters().get(Event.RTT_SAMPLES);
            r.timers(1 * S);
            r.seg().ack(1 + M).seq(1).in(1050 * MS);
            assertEquals(samples, r.c.counters().get(Event.RTT_SAMPLES), "ambiguous: not measured");
            assertEquals(10 * MS, r.c.srttNs());
            assertEquals(2 * S, r.c.currentRtoNs(), "the backoff stays until a sample (RFC 6298 5.7)");
            r.snd.write(100, 1);
            r.c.send(1100 * MS);
            r.seg().ack(1 + M + 100).seq(1).in(1130 * MS);
            assertEquals(1 * S, r.c.currentRtoNs(), "a clean sample ends the backoff");
        }

        @Test
        void withTimestampsARetransmittedSegmentIsMeasured() {
            TcpConfig cfg = iw(1).toBuilder().timestamps(true).build();
            Rig r = new Rig(cfg);
            r.c.connect(0);
            int ourTs = r.last().tsVal();
            r.seg().syn().ack(1).seq(0).mss(1460).ts(500, ourTs).in(10 * MS);
            assertTrue(r.c.timestamps());
            r.snd.write(100, 1);
            r.c.send(100 * MS);
            r.timers(1 * S);
            Rig.Out re = r.last();
            r.seg().ack(101).seq(1).ts(600, re.tsVal()).in(1050 * MS);
            assertEquals(1, r.c.counters().get(Event.RTT_SAMPLES_TS), "RFC 7323 RTTM");
        }

        @Test
        void rttEstimatorFollowsRfc6298() {
            RttEstimator e = new RttEstimator(1 * S, 200 * MS, 60 * S, 0);
            assertEquals(1 * S, e.rtoNs());
            e.sample(100 * MS);
            assertEquals(100 * MS, e.srttNs());
            assertEquals(50 * MS, e.rttvarNs());
            assertEquals(300 * MS, e.rtoNs(), "SRTT + 4·RTTVAR");
            e.sample(200 * MS);
            assertEquals(100 * MS + 100 * MS / 8, e.srttNs());
            assertEquals(50 * MS + (100 * MS - 50 * MS) / 4, e.rttvarNs());
            e.sample(1);
            RttEstimator g = new RttEstimator(1 * S, 1 * MS, 60 * S, 500 * MS);
            g.sample(10 * MS);
            assertEquals(510 * MS, g.rtoNs(), "max(G, 4·RTTVAR) with G = 500 ms");
        }
    }
}

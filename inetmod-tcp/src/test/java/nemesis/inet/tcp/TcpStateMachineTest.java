package nemesis.inet.tcp;

import static nemesis.inet.tcp.Rig.MS;
import static nemesis.inet.tcp.Rig.S;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import nemesis.inet.tcp.TcpCounters.Drop;
import nemesis.inet.tcp.TcpCounters.Event;
import nemesis.inet.wire.TcpHeader;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * RFC 9293's state machine, transition by transition, grouped by state (as smoltcp's tests are).
 * The peer is scripted ({@link Rig}); sequence numbers are relative to the ISNs; times are exact.
 */
class TcpStateMachineTest {
    static final int SYN = TcpHeader.SYN;
    static final int ACK = TcpHeader.ACK;
    static final int FIN = TcpHeader.FIN;
    static final int RST = TcpHeader.RST;
    static final int PSH = TcpHeader.PSH;

    static List<String> arrows(Rig r) {
        return r.log.arrows();
    }

    /** ESTABLISHED, then the application wrote {@code n} bytes and they went out at {@code now}. */
    static Rig establishedWithData(int n, long now) {
        Rig r = Rig.established();
        r.snd.write(n, 7);
        r.c.send(now);
        return r;
    }

    @Nested
    class Closed {
        @Test
        void connectSendsASynWithOurMssAndEntersSynSent() {
            Rig r = Rig.synSent(Rig.plain(), 0);
            assertEquals(List.of("CLOSED=>SYN-SENT"), arrows(r));
            Rig.Out syn = r.last();
            assertEquals(SYN, syn.flags());
            assertEquals(0, syn.seq());
            assertEquals(1460, syn.mss());
            assertEquals(-1, syn.wscale());
            assertFalse(syn.ts());
            assertFalse(syn.sackOk());
            assertEquals(16384, syn.window());
        }

        @Test
        void aModernSynOffersWindowScaleSackAndTimestamps() {
            Rig r = Rig.synSent(TcpConfig.modern(), 0);
            Rig.Out syn = r.last();
            assertEquals(3, syn.wscale(), "256 KiB needs a shift of 3");
            assertTrue(syn.sackOk());
            assertTrue(syn.ts());
            assertEquals(0, syn.tsEcr());
            assertEquals(65535, syn.window(), "a SYN's window is never scaled");
        }

        @Test
        void listenEntersListenAndSendsNothing() {
            Rig r = new Rig(Rig.plain());
            r.c.listen(0);
            assertEquals(List.of("CLOSED=>LISTEN"), arrows(r));
            assertTrue(r.sent.isEmpty());
        }

        @Test
        void aSegmentToAClosedConnectionIsAnsweredWithAReset() {
            Rig r = new Rig(Rig.plain());
            r.seg().ack(77).seq(5).data(10).in(0);
            Rig.Out rst = r.last();
            assertEquals(RST, rst.flags());
            assertEquals(77, rst.seq(), "<SEQ=SEG.ACK><CTL=RST>");
            r.seg().seq(5).data(10).fin().in(0);
            assertEquals(RST | ACK, r.last().flags());
            assertEquals(16, r.last().ack(), "<ACK=SEG.SEQ+SEG.LEN>: 10 bytes and the FIN");
            r.take();
            r.seg().rst().seq(5).in(0);
            assertTrue(r.sent.isEmpty(), "never a RST for a RST");
            assertEquals(3, r.c.counters().get(Drop.CLOSED));
        }
    }

    @Nested
    class Listen {
        @Test
        void aSynMovesToSynReceivedAndIsAnsweredWithSynAck() {
            Rig r = Rig.synReceived(Rig.plain(), 5 * MS);
            assertEquals(List.of("CLOSED=>LISTEN", "LISTEN=>SYN-RECEIVED"), arrows(r));
            Rig.Out sa = r.last();
            assertEquals(SYN | ACK, sa.flags());
            assertEquals(0, sa.seq());
            assertEquals(1, sa.ack());
            assertEquals(1460, sa.mss());
            assertEquals(1 * S, r.c.retransmitDeadlineNs(), "SYN-ACK retransmission: 1 s, on the 500 ms grid");
        }

        @Test
        void theSynAckOffersOnlyWhatTheSynOffered() {
            Rig r = new Rig(TcpConfig.modern());
            r.c.listen(0);
            r.seg().syn().seq(0).mss(1000).sackOk().in(0);
            Rig.Out sa = r.last();
            assertTrue(sa.sackOk());
            assertEquals(-1, sa.wscale());
            assertFalse(sa.ts());
            assertEquals(1000, r.c.peerMss());
            assertEquals(1000, r.c.effMss());
        }

        @Test
        void anAckIsAnsweredWithAResetAndTheListenerStays() {
            Rig r = new Rig(Rig.plain());
            r.c.listen(0);
            r.seg().ack(1234).seq(9).in(0);
            assertEquals(RST, r.last().flags());
            assertEquals(1234, r.last().seq());
            assertEquals(TcpState.LISTEN, r.c.state());
            assertEquals(1, r.c.counters().get(Drop.LISTEN_ACK));
        }

        @Test
        void aResetOrASegmentWithoutSynIsIgnored() {
            Rig r = new Rig(Rig.plain());
            r.c.listen(0);
            r.seg().rst().seq(0).in(0);
            r.seg().seq(0).data(5).in(0);
            assertTrue(r.sent.isEmpty());
            assertEquals(TcpState.LISTEN, r.c.state());
            assertEquals(1, r.c.counters().get(Drop.LISTEN_RST));
            assertEquals(1, r.c.counters().get(Drop.LISTEN_NO_SYN));
        }

        @Test
        void aListenerWithoutARemoteTakesTheFirstSynsSource() {
            Rig r = new Rig(Rig.plain(), 0);
            r.c.listen(0);
            r.seg().syn().seq(0).from(3333).in(0);
            assertEquals(3333, r.c.remotePort());
            assertEquals(Rig.REMOTE_IP, r.c.remoteIp());
            assertEquals(TcpState.SYN_RECEIVED, r.c.state());
        }

        @Test
        void aFinQueuedBeforeTheHandshakeFollowsIt() {
            Rig r = new Rig(Rig.plain());
            r.c.listen(0);
            r.snd.write(50, 1);
            r.snd.fin = true;
            r.c.send(0);
            r.seg().syn().seq(0).in(1 * MS);
            r.seg().ack(1).seq(1).in(10 * MS);
            assertEquals(List.of("CLOSED=>LISTEN", "LISTEN=>SYN-RECEIVED", "SYN-RECEIVED=>ESTABLISHED",
                    "ESTABLISHED=>FIN-WAIT-1"), arrows(r));
            assertEquals(50, r.last().len());
            assertTrue(r.last().has(FIN));
        }

        @Test
        void closeEndsIt() {
            Rig r = new Rig(Rig.plain());
            r.c.listen(0);
            r.c.close(1);
            assertEquals(List.of("CLOSED=>LISTEN", "LISTEN=>CLOSED"), arrows(r));
        }
    }

    @Nested
    class SynSent {
        @Test
        void aSynAckEstablishesAcknowledgesAndTimesTheRoundTrip() {
            Rig r = Rig.synSent(Rig.plain(), 0);
            r.seg().syn().ack(1).seq(0).mss(1460).win(8000).in(10 * MS);
            assertEquals(List.of("CLOSED=>SYN-SENT", "SYN-SENT=>ESTABLISHED"), arrows(r));
            Rig.Out ack = r.last();
            assertEquals(ACK, ack.flags());
            assertEquals(1, ack.seq());
            assertEquals(1, ack.ack());
            assertEquals(10 * MS, r.c.srttNs(), "the first sample is SRTT (RFC 6298 2.2)");
            assertEquals(8000, r.c.sndWnd());
            assertEquals(TcpConnection.NEVER, r.c.retransmitDeadlineNs());
        }

        @Test
        void aSynAloneIsASimultaneousOpen() {
            Rig r = Rig.synSent(Rig.plain(), 0);
            r.seg().syn().seq(0).mss(1460).in(5 * MS);
            assertEquals(List.of("CLOSED=>SYN-SENT", "SYN-SENT=>SYN-RECEIVED"), arrows(r));
            Rig.Out sa = r.last();
            assertEquals(SYN | ACK, sa.flags());
            assertEquals(0, sa.seq(), "our SYN again, now acknowledging theirs");
            assertEquals(1, sa.ack());
            r.seg().syn().ack(1).seq(0).in(6 * MS); // their SYN-ACK: the SYN is a duplicate, the ACK is new
            assertEquals(TcpState.ESTABLISHED, r.c.state());
            assertEquals(List.of("CLOSED=>SYN-SENT", "SYN-SENT=>SYN-RECEIVED", "SYN-RECEIVED=>ESTABLISHED"), arrows(r));
        }

        @Test
        void twoEndsOpeningAtOnceBothGetEstablished() {
            Net n = new Net(Rig.plain(), Net.Faults.NONE, 1);
            n.a.conn.connect(0);
            n.b.conn.connect(0);
            n.a.arm();
            n.b.arm();
            n.drain(100 * MS);
            assertEquals(TcpState.ESTABLISHED, n.a.conn.state());
            assertEquals(TcpState.ESTABLISHED, n.b.conn.state());
            assertEquals(List.of("CLOSED=>SYN-SENT", "SYN-SENT=>SYN-RECEIVED", "SYN-RECEIVED=>ESTABLISHED"),
                    n.a.log.arrows());
            assertEquals(n.a.log.arrows(), n.b.log.arrows());
        }

        @Test
        void anUnacceptableAckIsAnsweredWithAReset() {
            Rig r = Rig.synSent(Rig.plain(), 0);
            r.take();
            r.seg().syn().ack(5).seq(0).in(1 * MS);
            assertEquals(RST, r.last().flags());
            assertEquals(5, r.last().seq(), "<SEQ=SEG.ACK><CTL=RST>");
            assertEquals(TcpState.SYN_SENT, r.c.state());
            assertEquals(1, r.c.counters().get(Drop.SYN_SENT_BAD_ACK));
        }

        @Test
        void aResetWithAnAcceptableAckRefusesTheConnection() {
            Rig r = Rig.synSent(Rig.plain(), 0);
            r.seg().rst().seq(0).in(1 * MS);
            assertEquals(TcpState.SYN_SENT, r.c.state(), "no ACK: ignored");
            r.seg().rst().ack(1).seq(0).in(2 * MS);
            assertEquals(TcpState.CLOSED, r.c.state());
            assertEquals(CloseReason.REFUSED, r.c.closeReason());
        }

        @Test
        void theSynIsRetransmittedAtOneSecondThenBackedOff() {
            Rig r = Rig.synSent(Rig.plain(), 0);
            r.take();
            r.timers(1 * S - 1);
            assertTrue(r.sent.isEmpty());
            r.timers(1 * S);
            assertEquals(SYN, r.last().flags());
            assertEquals(0, r.last().seq());
            assertEquals(3 * S, r.c.retransmitDeadlineNs(), "2 s: RTO × tcp_backoff[1]");
            r.timers(3 * S);
            assertEquals(7 * S, r.c.retransmitDeadlineNs(), "4 s");
            assertEquals(2, r.c.counters().get(Event.SYN_RETRANSMITS));
        }

        @Test
        void afterMaxSynRetriesTheConnectionTimesOut() {
            Rig r = Rig.synSent(Rig.plain().toBuilder().maxSynRetries(2).build(), 0);
            r.timers(1 * S);
            r.timers(3 * S);
            assertEquals(TcpState.SYN_SENT, r.c.state());
            r.take();
            r.timers(7 * S - 1);
            assertEquals(TcpState.SYN_SENT, r.c.state());
            r.timers(7 * S);
            assertEquals(TcpState.CLOSED, r.c.state());
            assertEquals(CloseReason.TIMED_OUT, r.c.closeReason());
            assertTrue(r.sent.isEmpty(), "no RST: the peer never answered");
        }

        @Test
        void afterALostSynTheInitialWindowIsOneSegment() {
            Rig r = Rig.synSent(TcpConfig.modern(), 0);
            r.timers(1 * S);
            r.seg().syn().ack(1).seq(0).mss(1460).in(1 * S + 10 * MS);
            assertEquals(1460, r.c.cwnd(), "RFC 5681 §3.1");
            Rig r2 = Rig.synSent(TcpConfig.modern(), 0);
            r2.seg().syn().ack(1).seq(0).mss(1460).in(10 * MS);
            assertEquals(4380, r2.c.cwnd(), "IW = min(4·1460, max(2·1460, 4380))");
        }

        @Test
        void closeDeletesTheConnection() {
            Rig r = Rig.synSent(Rig.plain(), 0);
            r.take();
            r.c.close(1);
            assertEquals(TcpState.CLOSED, r.c.state());
            assertTrue(r.sent.isEmpty());
            assertEquals(TcpConnection.NEVER, r.c.nextTimerNs());
        }

        @Test
        void aFinAskedForBeforeTheHandshakeFollowsIt() {
            Rig r = Rig.synSent(Rig.plain(), 0);
            r.snd.write(100, 1);
            r.c.shutdownOutput(1);
            assertEquals(TcpState.SYN_SENT, r.c.state());
            r.take();
            r.seg().syn().ack(1).seq(0).in(10 * MS);
            assertEquals(List.of("CLOSED=>SYN-SENT", "SYN-SENT=>ESTABLISHED", "ESTABLISHED=>FIN-WAIT-1"), arrows(r));
            Rig.Out d = r.last();
            assertEquals(100, d.len());
            assertTrue(d.has(FIN));
        }
    }

    @Nested
    class SynReceived {
        @Test
        void theAckOfOurSynEstablishes() {
            Rig r = Rig.synReceived(Rig.plain(), 0);
            r.seg().ack(1).seq(1).win(5000).in(10 * MS);
            assertEquals(TcpState.ESTABLISHED, r.c.state());
            assertEquals(5000, r.c.sndWnd());
            assertEquals(10 * MS, r.c.srttNs());
        }

        @Test
        void anAckOfSomethingElseIsAnsweredWithAReset() {
            Rig r = Rig.synReceived(Rig.plain(), 0);
            r.take();
            r.seg().ack(9).seq(1).in(1 * MS);
            assertEquals(RST, r.last().flags());
            assertEquals(9, r.last().seq());
            assertEquals(TcpState.SYN_RECEIVED, r.c.state());
        }

        @Test
        void aRetransmittedSynGetsTheSynAckAgain() {
            Rig r = Rig.synReceived(Rig.plain(), 0);
            r.take();
            r.seg().syn().seq(0).in(300 * MS);
            assertEquals(SYN | ACK, r.last().flags());
            assertEquals(0, r.last().seq());
            assertEquals(1, r.c.counters().get(Event.SYN_ACK_RETRANSMITS_ON_DUP_SYN));
        }

        @Test
        void theSynAckIsRetransmittedAtTheRto() {
            Rig r = Rig.synReceived(Rig.plain(), 0);
            r.take();
            r.timers(1 * S - 1);
            assertTrue(r.sent.isEmpty());
            r.timers(1 * S);
            assertEquals(SYN | ACK, r.last().flags());
        }

        @Test
        void aResetAtRcvNxtReturnsAPassiveOpenToListen() {
            Rig r = Rig.synReceived(Rig.plain(), 0);
            r.seg().rst().seq(1).in(1 * MS);
            assertEquals(List.of("CLOSED=>LISTEN", "LISTEN=>SYN-RECEIVED", "SYN-RECEIVED=>LISTEN"), arrows(r));
            assertEquals(TcpConnection.NEVER, r.c.nextTimerNs());
        }

        @Test
        void aResetInTheWindowButNotAtRcvNxtGetsAChallengeAck() {
            Rig r = Rig.synReceived(Rig.plain(), 0);
            r.take();
            r.seg().rst().seq(100).in(1 * MS);
            assertEquals(TcpState.SYN_RECEIVED, r.c.state());
            assertEquals(1, r.c.counters().get(Event.CHALLENGE_ACKS));
            assertEquals(1, r.c.counters().get(Drop.RST_NOT_EXACT));
        }

        @Test
        void aNewSynGetsAChallengeAck() {
            Rig r = Rig.synReceived(Rig.plain(), 0);
            r.take();
            r.seg().syn().seq(5000).in(1 * MS);
            assertEquals(TcpState.SYN_RECEIVED, r.c.state());
            assertEquals(1, r.c.counters().get(Event.CHALLENGE_ACKS));
            assertTrue(r.last().has(ACK));
        }

        @Test
        void aResetInASimultaneousOpenRefusesTheConnection() {
            Rig r = Rig.synSent(Rig.plain(), 0);
            r.seg().syn().seq(0).in(1 * MS);
            r.seg().rst().seq(1).in(2 * MS);
            assertEquals(TcpState.CLOSED, r.c.state());
            assertEquals(CloseReason.REFUSED, r.c.closeReason());
        }

        @Test
        void closeMovesToFinWait1AndSendsTheFinAfterTheSyn() {
            Rig r = Rig.synReceived(Rig.plain(), 0);
            r.c.close(1 * MS);
            assertEquals(TcpState.FIN_WAIT_1, r.c.state());
            assertEquals(FIN | ACK, r.last().flags());
            assertEquals(1, r.last().seq(), "the FIN follows our SYN (4.4BSD tcp_usrclosed)");
            r.seg().ack(1).seq(1).in(10 * MS);
            assertEquals(TcpState.FIN_WAIT_1, r.c.state(), "the SYN is acknowledged, not the FIN");
            r.seg().ack(2).seq(1).in(20 * MS);
            assertEquals(TcpState.FIN_WAIT_2, r.c.state());
        }

        @Test
        void anAckWithAFinEstablishesThenClosesTheReceiveSide() {
            Rig r = Rig.synReceived(Rig.plain(), 0);
            r.seg().ack(1).seq(1).data(10).fin().in(10 * MS);
            assertEquals(List.of("CLOSED=>LISTEN", "LISTEN=>SYN-RECEIVED", "SYN-RECEIVED=>ESTABLISHED",
                    "ESTABLISHED=>CLOSE-WAIT"), arrows(r));
            assertEquals(10, r.rcv.size());
            assertTrue(r.rcv.fin);
            assertEquals(12, r.last().ack());
        }
    }

    @Nested
    class Established {
        @Test
        void inOrderDataIsDeliveredAndAcknowledgedAtTheNextFastTick() {
            Rig r = Rig.established();
            r.seg().ack(1).seq(1).data(100).in(50 * MS);
            assertEquals(100, r.rcv.size());
            assertTrue(r.sent.isEmpty(), "delayed");
            assertEquals(200 * MS, r.c.delayedAckDeadlineNs(), "the next 200 ms boundary");
            r.timers(200 * MS - 1);
            assertTrue(r.sent.isEmpty());
            r.timers(200 * MS);
            assertEquals(ACK, r.last().flags());
            assertEquals(101, r.last().ack());
            assertEquals(1, r.c.counters().get(Event.DELAYED_ACKS_SENT));
        }

        @Test
        void aDelayedAckDeferredOnABoundaryWaitsForTheNextOne() {
            Rig r = Rig.established();
            r.seg().ack(1).seq(1).data(100).in(400 * MS);
            assertEquals(600 * MS, r.c.delayedAckDeadlineNs(), "strictly after: that tick has run");
        }

        @Test
        void everySecondFullSegmentIsAcknowledgedAtOnce() {
            Rig r = Rig.established();
            r.seg().ack(1).seq(1).data(1460).in(50 * MS);
            assertTrue(r.sent.isEmpty());
            r.seg().ack(1).seq(1461).data(1460).in(51 * MS);
            assertEquals(2921, r.last().ack());
            assertEquals(TcpConnection.NEVER, r.c.delayedAckDeadlineNs(), "the ACK went: nothing is delayed");
        }

        @Test
        void withoutDelayedAcksEverySegmentIsAcknowledged() {
            Rig r = Rig.established(Rig.plain().withDelayedAck(false));
            r.seg().ack(1).seq(1).data(10).in(50 * MS);
            assertEquals(11, r.last().ack());
        }

        @Test
        void outOfOrderDataGetsAnImmediateDuplicateAckAndTheFilledHoleAnother() {
            Rig r = Rig.established();
            r.seg().ack(1).seq(1461).data(100).in(50 * MS);
            assertEquals(0, r.rcv.size());
            assertEquals(1, r.last().ack(), "a duplicate ACK at once (RFC 5681 §4.2)");
            assertEquals(1, r.c.counters().get(Event.OUT_OF_ORDER_SEGS));
            r.take();
            r.seg().ack(1).seq(1).data(1460).in(60 * MS);
            assertEquals(1560, r.rcv.size());
            assertEquals(1561, r.last().ack(), "the hole filled: an ACK at once");
            assertEquals(1, r.c.counters().get(Event.HOLES_FILLED));
            byte[] want = new byte[1560];
            for (int i = 0; i < 1460; i++) {
                want[i] = (byte) (1 + i);
            }
            for (int i = 0; i < 100; i++) {
                want[1460 + i] = (byte) (1461 + i);
            }
            assertArrayEquals(want, r.rcv.bytes(), "in order, each byte once");
        }

        @Test
        void aSegmentBeyondTheWindowIsAcknowledgedAndDropped() {
            Rig r = Rig.established();
            long wnd = r.c.rcvWnd();
            assertEquals(16384, wnd);
            r.seg().ack(1).seq(1 + wnd).data(10).in(50 * MS);
            assertEquals(0, r.rcv.size());
            assertEquals(1, r.last().ack());
            assertEquals(1, r.c.counters().get(Drop.OUT_OF_WINDOW));
            r.seg().ack(1).seq(1 + wnd - 5).data(10).in(51 * MS);
            assertEquals(1, r.c.counters().get(Event.TRIMMED_AT_RIGHT_EDGE), "partly inside: trimmed, kept");
            assertEquals(5, r.c.reassemblyBytes());
        }

        @Test
        void anOldDuplicateIsAcknowledgedAtOnce() {
            Rig r = Rig.established();
            r.seg().ack(1).seq(1).data(100).in(50 * MS);
            r.timers(200 * MS);
            r.take();
            r.seg().ack(1).seq(1).data(100).in(300 * MS);
            assertEquals(101, r.last().ack());
            assertEquals(100, r.rcv.size(), "not delivered twice");
            assertEquals(1, r.c.counters().get(Event.DUP_SEGS));
        }

        @Test
        void aResetAtRcvNxtResetsTheConnection() {
            Rig r = Rig.established();
            r.seg().rst().seq(1).in(50 * MS);
            assertEquals(List.of("ESTABLISHED=>CLOSED"), arrows(r));
            assertEquals(CloseReason.RESET, r.c.closeReason());
            assertTrue(r.sent.isEmpty());
        }

        @Test
        void aResetInTheWindowNotAtRcvNxtGetsAChallengeAck() {
            Rig r = Rig.established();
            r.seg().rst().seq(50).in(50 * MS);
            assertEquals(TcpState.ESTABLISHED, r.c.state());
            Rig.Out ch = r.last();
            assertEquals(ACK, ch.flags());
            assertEquals(1, ch.seq());
            assertEquals(1, ch.ack(), "the challenge ACK carries RCV.NXT: the true sender resets with it");
            r.seg().rst().seq(1).in(51 * MS);
            assertEquals(TcpState.CLOSED, r.c.state());
        }

        @Test
        void aResetOutsideTheWindowIsDroppedSilently() {
            Rig r = Rig.established();
            r.seg().rst().seq(1 + 16384 + 100).in(50 * MS);
            r.seg().rst().seq(-5).in(50 * MS);
            assertEquals(TcpState.ESTABLISHED, r.c.state());
            assertTrue(r.sent.isEmpty());
            assertEquals(2, r.c.counters().get(Drop.RST_OUT_OF_WINDOW));
        }

        @Test
        void aSynGetsChallengeAcksAtMostTenASecond() {
            Rig r = Rig.established();
            for (int i = 0; i < 12; i++) {
                r.seg().syn().seq(1 + i).in(100 * MS + i);
            }
            assertEquals(TcpState.ESTABLISHED, r.c.state());
            assertEquals(10, r.sent.size());
            assertEquals(10, r.c.counters().get(Event.CHALLENGE_ACKS));
            assertEquals(2, r.c.counters().get(Event.CHALLENGE_ACKS_SUPPRESSED));
            r.seg().syn().seq(1).in(1100 * MS - 1);
            assertEquals(10, r.sent.size(), "the same second");
            r.seg().syn().seq(1).in(1100 * MS);
            assertEquals(11, r.sent.size(), "a new second");
            assertEquals(14, r.c.counters().get(Drop.SYN_IN_SYNCHRONIZED));
        }

        @Test
        void anAckOfDataNotSentGetsAChallengeAckAndTheSegmentIsDropped() {
            Rig r = Rig.established();
            r.seg().ack(50).seq(1).data(10).in(50 * MS);
            assertEquals(0, r.rcv.size());
            assertEquals(1, r.c.counters().get(Drop.ACK_UNACCEPTABLE));
            assertEquals(1, r.last().ack());
        }

        @Test
        void anAckBelowUnaMinusMaxSndWndIsUnacceptable() {
            Rig r = Rig.established();
            r.seg().ack(1 - 65535).seq(1).data(10).in(50 * MS);
            assertEquals(10, r.rcv.size(), "SND.UNA − MAX.SND.WND is still acceptable");
            r.seg().ack(1 - 65536).seq(11).data(10).in(51 * MS);
            assertEquals(10, r.rcv.size());
            assertEquals(1, r.c.counters().get(Drop.ACK_UNACCEPTABLE));
        }

        @Test
        void aFinMovesToCloseWaitAndIsAcknowledgedAtOnce() {
            Rig r = Rig.established();
            r.seg().ack(1).seq(1).data(5).fin().in(50 * MS);
            assertEquals(List.of("ESTABLISHED=>CLOSE-WAIT"), arrows(r));
            assertTrue(r.rcv.fin);
            assertEquals(7, r.last().ack());
        }

        @Test
        void aFinBeforeTheDataIsHeldUntilTheHoleFills() {
            Rig r = Rig.established();
            r.seg().ack(1).seq(11).data(5).fin().in(50 * MS);
            assertEquals(TcpState.ESTABLISHED, r.c.state());
            assertFalse(r.rcv.fin);
            r.seg().ack(1).seq(1).data(10).in(60 * MS);
            assertEquals(TcpState.CLOSE_WAIT, r.c.state());
            assertEquals(15, r.rcv.size());
            assertEquals(17, r.last().ack());
        }

        @Test
        void closeSendsTheFinAfterTheData() {
            Rig r = Rig.established();
            r.snd.write(100, 1);
            r.c.close(50 * MS);
            assertEquals(List.of("ESTABLISHED=>FIN-WAIT-1"), arrows(r));
            Rig.Out d = r.last();
            assertEquals(100, d.len());
            assertEquals(FIN | ACK | PSH, d.flags());
        }

        @Test
        void abortSendsAResetAtSndNxt() {
            Rig r = establishedWithData(100, 50 * MS);
            r.c.abort(60 * MS);
            Rig.Out rst = r.last();
            assertEquals(RST | ACK, rst.flags());
            assertEquals(101, rst.seq());
            assertEquals(TcpState.CLOSED, r.c.state());
            assertEquals(CloseReason.ABORTED, r.c.closeReason());
            assertEquals(TcpConnection.NEVER, r.c.nextTimerNs());
        }

        @Test
        void naglesAlgorithmHoldsASmallSegmentWhileDataIsUnacknowledged() {
            Rig r = establishedWithData(100, 50 * MS);
            assertEquals(1, r.sent.size(), "idle: a small segment goes");
            r.snd.write(100, 2);
            r.c.send(51 * MS);
            assertEquals(1, r.sent.size(), "held (RFC 896)");
            r.seg().ack(101).seq(1).in(60 * MS);
            assertEquals(2, r.sent.size());
            assertEquals(101, r.last().seq());
            Rig n = Rig.established(Rig.plain().withNagle(false).toBuilder().initialWindow(4).build());
            n.snd.write(100, 1);
            n.c.send(50 * MS);
            n.snd.write(100, 2);
            n.c.send(51 * MS);
            assertEquals(2, n.sent.size(), "Nagle off: at once");
        }

        @Test
        void dataIsRetransmittedAtTheRtoWithBackoffAndTheWindowCollapses() {
            Rig r = establishedWithData(1000, 100 * MS);
            r.take();
            assertEquals(1 * S, r.c.retransmitDeadlineNs(), "RTO 1 s (the minimum), on the 500 ms grid");
            r.timers(1 * S - 1);
            assertTrue(r.sent.isEmpty());
            r.timers(1 * S);
            Rig.Out re = r.last();
            assertEquals(1, re.seq());
            assertEquals(1000, re.len());
            assertEquals(3 * S, r.c.retransmitDeadlineNs(), "backed off: 2 s");
            assertEquals(1460, r.c.cwnd(), "one segment (RFC 5681 §3.1)");
            assertEquals(2920, r.c.ssthresh(), "max(FlightSize/2, 2·SMSS)");
            r.timers(3 * S);
            assertEquals(7 * S, r.c.retransmitDeadlineNs(), "4 s");
            assertEquals(1, r.c.counters().get(Event.REXMT_SEGS_RTO) - 1, "two retransmissions");
        }

        @Test
        void retransmissionsGiveUpAfterMaxRetriesWithAReset() {
            Rig r = establishedWithData(100, 0);
            r.c.counters();
            for (int i = 0; i < 12; i++) {
                r.timers(r.c.nextTimerNs());
            }
            assertEquals(TcpState.ESTABLISHED, r.c.state());
            assertEquals(60 * S, r.c.currentRtoNs(), "capped at 60 s");
            r.take();
            r.timers(r.c.nextTimerNs());
            assertEquals(TcpState.CLOSED, r.c.state());
            assertEquals(CloseReason.TIMED_OUT, r.c.closeReason());
            assertEquals(RST | ACK, r.last().flags(), "4.4BSD tcp_drop");
        }

        @Test
        void aClosedWindowIsProbedByThePersistTimerWithBackoff() {
            Rig r = establishedWithData(100, 50 * MS);
            r.seg().ack(101).seq(1).win(0).in(60 * MS);
            r.take();
            r.snd.write(500, 3);
            r.c.send(70 * MS);
            assertTrue(r.sent.isEmpty());
            assertEquals(5 * S, r.c.persistDeadlineNs(), "max(RTO, 5 s)");
            r.timers(5 * S - 1);
            assertTrue(r.sent.isEmpty());
            r.timers(5 * S);
            Rig.Out probe = r.last();
            assertEquals(1, probe.len(), "one byte into the closed window");
            assertEquals(101, probe.seq());
            assertEquals(10 * S, r.c.persistDeadlineNs());
            r.timers(10 * S);
            assertEquals(15 * S, r.c.persistDeadlineNs());
            r.timers(15 * S);
            assertEquals(23 * S, r.c.persistDeadlineNs(), "1 s × 8");
            assertEquals(101, r.last().seq(), "the same byte again");
            assertEquals(3, r.c.counters().get(Event.PERSIST_PROBES));
            r.seg().ack(102).seq(1).win(1000).in(16 * S);
            assertEquals(TcpConnection.NEVER, r.c.persistDeadlineNs(), "the window opened");
            assertEquals(102, r.last().seq());
            assertEquals(499, r.last().len());
        }

        @Test
        void aZeroWindowOnASegmentWeOnlyAcknowledgeStillArmsThePersistTimer() {
            Rig r = Rig.established(Rig.plain().withDelayedAck(false));
            r.snd.write(3000, 1);
            r.c.send(50 * MS);
            // the peer acknowledges the first segment, closes its window and sends data: we answer
            // with a bare ACK, and the rest of our data waits behind the closed window
            r.seg().ack(1461).seq(1).win(0).data(10).in(60 * MS);
            assertEquals(11, r.last().ack());
            assertEquals(0, r.last().len());
            assertEquals(5 * S, r.c.persistDeadlineNs(), "else a lost window update leaves both ends waiting");
        }

        @Test
        void keepaliveProbesAnIdleConnectionAndDropsItWhenUnanswered() {
            TcpConfig k = Rig.plain().toBuilder().keepalive(true).keepIdleNs(10 * S).keepIntervalNs(1 * S)
                    .keepCount(3).build();
            Rig r = Rig.established(k);
            assertEquals(10 * S, r.c.keepaliveDeadlineNs());
            r.timers(10 * S - 1);
            assertTrue(r.sent.isEmpty());
            r.timers(10 * S);
            Rig.Out probe = r.last();
            assertEquals(0, probe.seq(), "SND.UNA − 1");
            assertEquals(1, probe.ack());
            assertEquals(0, probe.len());
            assertEquals(11 * S, r.c.keepaliveDeadlineNs());
            r.seg().ack(1).seq(1).in(10 * S + 5 * MS);
            assertEquals(20 * S, r.c.keepaliveDeadlineNs(), "answered: idle again");
            r.timers(22 * S);
            assertEquals(4, r.c.counters().get(Event.KEEPALIVE_PROBES), "one answered, then 20 s, 21 s, 22 s");
            r.timers(23 * S - 1);
            assertEquals(TcpState.ESTABLISHED, r.c.state());
            r.timers(23 * S);
            assertEquals(TcpState.CLOSED, r.c.state());
            assertEquals(CloseReason.TIMED_OUT, r.c.closeReason());
        }

        @Test
        void keepaliveIsOffByDefault() {
            Rig r = Rig.established();
            assertEquals(TcpConnection.NEVER, r.c.nextTimerNs());
        }

        @Test
        void theWindowReopensOnlyBySignificantAmounts() {
            Rig r = Rig.established();
            r.rcv.autoRead = false;
            int sent = 0;
            while (sent < 16384) {
                int n = Math.min(1460, 16384 - sent);
                r.seg().ack(1).seq(1 + sent).data(n).in(50 * MS);
                sent += n;
            }
            r.timers(200 * MS);
            assertEquals(0, r.last().window(), "the buffer is full");
            r.take();
            r.rcv.read(100);
            r.c.receiveWindowOpened(300 * MS);
            assertTrue(r.sent.isEmpty(), "100 bytes: silly window avoidance (RFC 1122 §4.2.3.3)");
            r.rcv.read(1500);
            r.c.receiveWindowOpened(301 * MS);
            assertTrue(r.sent.isEmpty(), "1600 bytes: not yet two segments or half the buffer");
            r.rcv.read(1400);
            r.c.receiveWindowOpened(302 * MS);
            assertEquals(3000, r.last().window(), "3000 ≥ 2·SMSS: a window update");
            assertEquals(1, r.c.counters().get(Event.WINDOW_UPDATES_SENT));
        }
    }

    @Nested
    class FinWait1 {
        @Test
        void theAckOfOurFinMovesToFinWait2() {
            Rig r = Rig.established();
            r.c.close(50 * MS);
            r.seg().ack(2).seq(1).in(60 * MS);
            assertEquals(List.of("ESTABLISHED=>FIN-WAIT-1", "FIN-WAIT-1=>FIN-WAIT-2"), arrows(r));
        }

        @Test
        void aFinBeforeOurFinIsAcknowledgedIsASimultaneousClose() {
            Rig r = Rig.established();
            r.c.close(50 * MS);
            r.seg().ack(1).seq(1).fin().in(60 * MS);
            assertEquals(TcpState.CLOSING, r.c.state());
            assertEquals(2, r.last().ack());
            r.seg().ack(2).seq(2).in(70 * MS);
            assertEquals(List.of("ESTABLISHED=>FIN-WAIT-1", "FIN-WAIT-1=>CLOSING", "CLOSING=>TIME-WAIT"), arrows(r));
        }

        @Test
        void twoEndsClosingAtOnceBothPassThroughClosing() {
            Net n = new Net(Rig.plain(), Net.Faults.NONE, 1);
            long t = n.transfer(new byte[0], new byte[0], 10 * S);
            assertTrue(t > 0);
            assertTrue(n.a.log.arrows().contains("FIN-WAIT-1=>CLOSING") || n.a.log.arrows().contains("FIN-WAIT-1=>FIN-WAIT-2"));
            Net m = new Net(Rig.plain(), Net.Faults.NONE, 1);
            m.b.conn.listen(0);
            m.a.conn.connect(0);
            m.a.arm();
            m.drain(50 * MS);
            m.a.conn.close(100 * MS);
            m.b.conn.close(100 * MS);
            m.a.arm();
            m.b.arm();
            m.drain(200 * S);
            assertEquals(List.of("ESTABLISHED=>FIN-WAIT-1", "FIN-WAIT-1=>CLOSING", "CLOSING=>TIME-WAIT",
                    "TIME-WAIT=>CLOSED"), m.a.log.arrows().subList(2, 6));
            assertEquals(TcpState.CLOSED, m.b.conn.state());
            assertTrue(m.b.log.arrows().contains("FIN-WAIT-1=>CLOSING"));
        }

        @Test
        void aFinThatAlsoAcknowledgesOursGoesToTimeWait() {
            Rig r = Rig.established();
            r.c.close(50 * MS);
            r.seg().ack(2).seq(1).fin().in(60 * MS);
            assertEquals(List.of("ESTABLISHED=>FIN-WAIT-1", "FIN-WAIT-1=>FIN-WAIT-2", "FIN-WAIT-2=>TIME-WAIT"),
                    arrows(r));
            assertEquals(2, r.last().ack());
        }

        @Test
        void dataStillArrivesAfterAHalfClose() {
            Rig r = Rig.established();
            r.c.shutdownOutput(50 * MS);
            r.seg().ack(1).seq(1).data(300).in(60 * MS);
            assertEquals(300, r.rcv.size());
            assertEquals(TcpState.FIN_WAIT_1, r.c.state());
        }

        @Test
        void theFinIsRetransmittedAtTheRto() {
            Rig r = Rig.established();
            r.c.close(50 * MS);
            r.take();
            r.timers(1 * S - 1);
            assertTrue(r.sent.isEmpty());
            r.timers(1 * S);
            assertEquals(FIN | ACK, r.last().flags());
            assertEquals(1, r.last().seq());
        }

        @Test
        void aResetAtRcvNxtCloses() {
            Rig r = Rig.established();
            r.c.close(50 * MS);
            r.seg().rst().seq(1).in(60 * MS);
            assertEquals(TcpState.CLOSED, r.c.state());
            assertEquals(CloseReason.RESET, r.c.closeReason());
        }
    }

    @Nested
    class FinWait2 {
        /** FIN-WAIT-2 after close() at 50 ms and the ACK of our FIN at {@code ackAt}. */
        Rig finWait2(TcpConfig cfg, boolean close, long ackAt) {
            Rig r = Rig.established(cfg);
            if (close) {
                r.c.close(50 * MS);
            } else {
                r.c.shutdownOutput(50 * MS);
            }
            r.seg().ack(2).seq(1).in(ackAt);
            assertEquals(TcpState.FIN_WAIT_2, r.c.state());
            r.take();
            r.log.clear();
            return r;
        }

        @Test
        void aFinMovesToTimeWait() {
            Rig r = finWait2(Rig.plain(), true, 60 * MS);
            r.seg().ack(2).seq(1).fin().in(70 * MS);
            assertEquals(List.of("FIN-WAIT-2=>TIME-WAIT"), arrows(r));
            assertEquals(2, r.last().ack());
        }

        @Test
        void aHalfClosedConnectionReceivesDataAndHasNoTimeout() {
            Rig r = finWait2(Rig.plain(), false, 60 * MS);
            r.seg().ack(2).seq(1).data(500).in(70 * MS);
            assertEquals(500, r.rcv.size());
            assertEquals(TcpConnection.NEVER, r.c.finWait2DeadlineNs());
        }

        @Test
        void afterCloseFinWait2EndsAtItsTimeout() {
            Rig r = finWait2(Rig.plain().toBuilder().finWait2TimeoutNs(10 * S).build(), true, 60 * MS);
            assertEquals(10 * S, r.c.finWait2DeadlineNs());
            r.timers(10 * S - 1);
            assertEquals(TcpState.FIN_WAIT_2, r.c.state());
            r.timers(10 * S);
            assertEquals(TcpState.CLOSED, r.c.state());
            assertEquals(CloseReason.FIN_WAIT_2_TIMEOUT, r.c.closeReason());
        }

        @Test
        void theDefaultTimeoutIsTenMinutes() {
            Rig r = finWait2(Rig.plain(), true, 60 * MS);
            assertEquals(600 * S, r.c.finWait2DeadlineNs());
        }

        @Test
        void dataAfterCloseResetsTheConnection() {
            Rig r = finWait2(Rig.plain(), true, 60 * MS);
            r.seg().ack(2).seq(1).data(10).in(70 * MS);
            assertEquals(0, r.rcv.size());
            assertEquals(TcpState.CLOSED, r.c.state());
            assertEquals(CloseReason.DATA_AFTER_CLOSE, r.c.closeReason());
            assertTrue(r.last().has(RST));
        }
    }

    @Nested
    class CloseWait {
        Rig closeWait() {
            Rig r = Rig.established();
            r.seg().ack(1).seq(1).fin().in(50 * MS);
            assertEquals(TcpState.CLOSE_WAIT, r.c.state());
            r.take();
            r.log.clear();
            return r;
        }

        @Test
        void dataCanStillBeSent() {
            Rig r = closeWait();
            r.snd.write(200, 1);
            r.c.send(60 * MS);
            assertEquals(200, r.last().len());
            assertEquals(2, r.last().ack());
        }

        @Test
        void closeSendsTheFinAndMovesToLastAck() {
            Rig r = closeWait();
            r.c.close(60 * MS);
            assertEquals(List.of("CLOSE-WAIT=>LAST-ACK"), arrows(r));
            assertEquals(FIN | ACK, r.last().flags());
        }

        @Test
        void aResetCloses() {
            Rig r = closeWait();
            r.seg().rst().seq(2).in(60 * MS);
            assertEquals(CloseReason.RESET, r.c.closeReason());
        }
    }

    @Nested
    class Closing {
        Rig closing() {
            Rig r = Rig.established();
            r.c.close(50 * MS);
            r.seg().ack(1).seq(1).fin().in(60 * MS);
            assertEquals(TcpState.CLOSING, r.c.state());
            r.take();
            r.log.clear();
            return r;
        }

        @Test
        void theAckOfOurFinMovesToTimeWait() {
            Rig r = closing();
            r.seg().ack(2).seq(2).in(70 * MS);
            assertEquals(List.of("CLOSING=>TIME-WAIT"), arrows(r));
            assertTrue(r.sent.isEmpty(), "nothing to acknowledge");
        }

        @Test
        void aResetCloses() {
            Rig r = closing();
            r.seg().rst().seq(2).in(70 * MS);
            assertEquals(TcpState.CLOSED, r.c.state());
        }
    }

    @Nested
    class LastAck {
        Rig lastAck() {
            Rig r = Rig.established();
            r.seg().ack(1).seq(1).fin().in(50 * MS);
            r.c.close(60 * MS);
            assertEquals(TcpState.LAST_ACK, r.c.state());
            r.take();
            r.log.clear();
            return r;
        }

        @Test
        void theAckOfOurFinCloses() {
            Rig r = lastAck();
            r.seg().ack(2).seq(2).in(70 * MS);
            assertEquals(List.of("LAST-ACK=>CLOSED"), arrows(r));
            assertEquals(CloseReason.NORMAL, r.c.closeReason());
        }

        @Test
        void theFinIsRetransmittedAtTheRto() {
            Rig r = lastAck();
            r.timers(1 * S - 1);
            assertTrue(r.sent.isEmpty());
            r.timers(1 * S);
            assertEquals(FIN | ACK, r.last().flags());
        }

        @Test
        void aResetCloses() {
            Rig r = lastAck();
            r.seg().rst().seq(2).in(70 * MS);
            assertEquals(TcpState.CLOSED, r.c.state());
        }
    }

    @Nested
    class TimeWait {
        /** TIME-WAIT entered at exactly 2 s, MSL 1 s. */
        Rig timeWait() {
            Rig r = Rig.established(Rig.plain().withMsl(1 * S));
            r.c.close(50 * MS);
            r.seg().ack(2).seq(1).in(60 * MS);
            r.seg().ack(2).seq(1).fin().in(2 * S);
            assertEquals(TcpState.TIME_WAIT, r.c.state());
            r.take();
            r.log.clear();
            return r;
        }

        @Test
        void itLastsTwoMslExactly() {
            Rig r = timeWait();
            assertEquals(4 * S, r.c.timeWaitDeadlineNs());
            r.timers(4 * S - 1);
            assertEquals(TcpState.TIME_WAIT, r.c.state());
            r.timers(4 * S);
            assertEquals(List.of("TIME-WAIT=>CLOSED"), arrows(r));
            assertEquals(CloseReason.NORMAL, r.c.closeReason());
        }

        @Test
        void aRetransmittedFinIsAcknowledgedAndRestartsTheTimer() {
            Rig r = timeWait();
            r.seg().ack(2).seq(1).fin().in(3 * S);
            assertEquals(2, r.last().ack());
            assertEquals(5 * S, r.c.timeWaitDeadlineNs());
            r.timers(5 * S - 1);
            assertEquals(TcpState.TIME_WAIT, r.c.state());
            r.timers(5 * S);
            assertEquals(TcpState.CLOSED, r.c.state());
        }

        @Test
        void aBareAckIsNotAnswered() {
            Rig r = timeWait();
            r.seg().ack(2).seq(2).in(3 * S);
            assertTrue(r.sent.isEmpty(), "two ends in TIME-WAIT must not ACK each other forever");
            assertEquals(4 * S, r.c.timeWaitDeadlineNs());
        }

        @Test
        void aSynGetsAChallengeAck() {
            Rig r = timeWait();
            r.seg().syn().seq(100_000).in(3 * S);
            assertEquals(1, r.c.counters().get(Event.CHALLENGE_ACKS));
            assertEquals(TcpState.TIME_WAIT, r.c.state());
        }

        @Test
        void aResetAtRcvNxtCloses() {
            Rig r = timeWait();
            r.seg().rst().seq(2).in(3 * S);
            assertEquals(TcpState.CLOSED, r.c.state());
        }
    }
}

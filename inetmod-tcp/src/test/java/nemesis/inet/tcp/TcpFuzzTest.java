package nemesis.inet.tcp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.RandomDistribution;
import net.jqwik.api.constraints.IntRange;
import nemesis.inet.wire.TcpChecksum;
import nemesis.inet.wire.TcpHeader;
import nemesis.inet.wire.TcpHeaderOut;
import nemesis.wire.BigEndian;
import org.junit.jupiter.api.Test;

/**
 * Random and mutated segments, with valid checksums, injected into the receiving end of a real
 * transfer, interleaved with its segments: the core never throws, and the application never sees a
 * wrong byte — the transfer completes byte-exact, or the connection is reset cleanly with a
 * correct prefix delivered.
 *
 * <p>What an injector could do that no TCP can detect is excluded, since it would not test the
 * core: injected payload is always the true stream's bytes at the segment's sequence number,
 * clipped to what the sender has already sent; a FIN only at the true end once the sender sent
 * its own; ACK fields never acknowledge the target's unacknowledged data; timestamps are never
 * newer than the real sender's clock (a future TSval at RCV.NXT would make PAWS drop the real
 * segments: RFC 7323 §5.8). RSTs are rare: one exactly at RCV.NXT resets, legitimately.
 */
class TcpFuzzTest {
    static final int ROUNDS = 2_000;

    /** One run: a→b transfer of {@code size} bytes, {@code injections} segments into b. */
    static Outcome run(long seed, TcpConfig cfg, int size, int injections) {
        Random r = new Random(seed);
        byte[] truth = TransferSmokeTest.random(size, seed ^ 0x5DEECE66DL);
        Net n = new Net(cfg, cfg, new Net.Faults(0.01, 0.01, 0.02, 0.005), seed, 10_000_000L, 2 * Net.MS, 32);
        int[] lastTsVal = {0};
        byte[][] lastReal = {null};
        n.tap = (e, f) -> {
            if (e == n.a) {
                lastReal[0] = f;
                TcpHeader h = new TcpHeader().wrap(MemorySegment.ofArray(f), 0, f.length);
                h.validateHeader(f.length);
                if (h.hasTimestamps()) {
                    lastTsVal[0] = h.tsVal();
                }
            }
            return true;
        };
        Injector inj = new Injector(r, n, truth, lastTsVal, lastReal);
        // over the transfer's duration on the 10 Mb/s wire (and the handshake)
        long span = (long) size * 8 * Net.S / 10_000_000L + 20 * Net.MS;
        for (int i = 0; i < injections; i++) {
            long at = 1 + (long) (r.nextDouble() * span);
            n.tl.at(at, inj::inject);
        }
        long t = n.transfer(truth, new byte[0], 7200 * Net.S);
        byte[] got = n.b.rcv.bytes();
        assertTrue(got.length <= truth.length, "more bytes than sent");
        assertArrayEquals(Arrays.copyOf(truth, got.length), got, "a wrong byte was delivered (seed " + seed + ")");
        TcpCounters c = n.b.conn.counters();
        assertEquals(c.get(TcpCounters.Event.SEGS_RECEIVED),
                c.get(TcpCounters.Event.SEGS_PROCESSED) + c.drops().total(), "every segment accounted for");
        boolean complete = t > 0 && got.length == truth.length && n.b.rcv.fin;
        boolean reset = n.b.conn.state() == TcpState.CLOSED || n.a.conn.state() == TcpState.CLOSED;
        assertTrue(complete || reset, () -> "neither complete nor reset (seed " + seed + "): " + n.a.conn + " / "
                + n.b.conn + "\n" + n.b.conn.counters() + "\n" + n.a.log + "\n" + n.b.log);
        if (!complete && Boolean.getBoolean("fuzzdebug")) {
            System.out.println("seed " + seed + " a " + n.a.conn.closeReason() + " " + n.a.log.arrows() + " b " + n.b.conn.closeReason() + " " + n.b.log.arrows() + " " + n.b.conn.counters());
        }
        return new Outcome(complete, inj.count, c);
    }

    record Outcome(boolean complete, int injected, TcpCounters counters) {
    }

    /** Builds and injects one segment into b, from b's state at that moment. */
    static final class Injector {
        final Random r;
        final Net n;
        final byte[] truth;
        final int[] lastTsVal;
        final byte[][] lastReal;
        final TcpHeaderOut h = new TcpHeaderOut();
        final TcpHeader parse = new TcpHeader();
        int count;

        Injector(Random r, Net n, byte[] truth, int[] lastTsVal, byte[][] lastReal) {
            this.r = r;
            this.n = n;
            this.truth = truth;
            this.lastTsVal = lastTsVal;
            this.lastReal = lastReal;
        }

        void inject() {
            TcpConnection b = n.b.conn;
            if (b.state() == TcpState.CLOSED || b.state() == TcpState.LISTEN) {
                return;
            }
            count++;
            h.clear();
            h.srcIp = Net.A_IP;
            h.dstIp = Net.B_IP;
            h.srcPort = Net.A_PORT;
            h.dstPort = Net.B_PORT;
            int rcvNxt = b.rcvNxt();
            long wnd = Math.max(1, b.rcvWnd());
            boolean template = lastReal[0] != null && r.nextInt(3) == 0;
            int seq;
            if (template) {
                parse.wrap(MemorySegment.ofArray(lastReal[0]), 0, lastReal[0].length);
                parse.validateHeader(lastReal[0].length);
                seq = parse.seq() + (r.nextInt(5) == 0 ? r.nextInt(3001) - 1500 : 0);
                h.flags = parse.flags();
                h.window = parse.window();
            } else {
                seq = switch (r.nextInt(5)) {
                    case 0 -> r.nextInt();
                    case 1 -> rcvNxt;
                    case 2 -> rcvNxt + (int) (r.nextDouble() * 2 * wnd);
                    case 3 -> rcvNxt - r.nextInt(100_000);
                    default -> rcvNxt + r.nextInt(3000) - 1500;
                };
                h.flags = r.nextInt(256);
                h.window = r.nextInt(65536);
            }
            if (r.nextInt(4) == 0) {
                h.flags ^= 1 << r.nextInt(8); // mutate one control bit
            }
            // Payload: the true stream at seq (offset 0 is IRS + 1), clipped to the stream.
            long off = (long) (seq - (b.irs() + 1));
            int len = r.nextInt(4) == 0 ? 0 : r.nextInt(1600);
            if (off < 0) {
                long skip = Math.min(-off, Math.max(len, 1));
                if (len > 0) {
                    seq += (int) Math.min(-off, len);
                    len = (int) Math.max(0, len + off);
                    off = Math.min(0, off + skip);
                }
            }
            // Only bytes the sender has already sent (data from the future would be acknowledged
            // before the sender sent it: its ACKs then fail RFC 5961's check, and it times out).
            long sent = Math.min(truth.length, Integer.toUnsignedLong(n.a.conn.sndMax() - n.a.conn.iss()) - 1);
            if (off < 0 || off >= sent) {
                len = 0;
            } else {
                len = (int) Math.min(len, sent - off);
            }
            // A FIN only at the true end, once the sender has sent it.
            boolean finSent = Integer.toUnsignedLong(n.a.conn.sndMax() - n.a.conn.iss()) > truth.length + 1;
            if ((h.flags & TcpHeader.FIN) != 0 && (off + len != truth.length || !finSent)) {
                h.flags &= ~TcpHeader.FIN;
            }
            // RSTs stay rare: most runs should complete.
            if ((h.flags & TcpHeader.RST) != 0 && r.nextInt(2000) != 0) {
                h.flags &= ~TcpHeader.RST;
            }
            h.seq = seq;
            // ACK: never for b's data in flight; mostly the truth, or far off.
            int una = b.sndUna();
            int max = b.sndMax();
            int ack = switch (r.nextInt(3)) {
                case 0 -> una - r.nextInt(70_000);
                case 1 -> una;
                default -> r.nextInt();
            };
            if (ack - una > 0 && ack - max <= 0) {
                ack = una;
            }
            h.ack = ack;
            h.urgent = r.nextInt(8) == 0 ? r.nextInt(65536) : 0;
            int optMode = r.nextInt(4);
            byte[] rawOptions = null;
            if (optMode == 0) {
                h.mss = r.nextBoolean() ? r.nextInt(65536) : -1;
                h.wscale = r.nextBoolean() ? r.nextInt(256) : -1;
                h.sackPermitted = r.nextBoolean();
            } else if (optMode == 1) {
                int room = 40;
                h.timestamps = r.nextBoolean();
                if (h.timestamps) {
                    h.tsVal = lastTsVal[0] - r.nextInt(1 << 20);
                    h.tsEcr = r.nextInt();
                }
                h.sackCount = r.nextInt(h.timestamps ? 4 : 5);
                for (int i = 0; i < h.sackCount; i++) {
                    h.sackLeft[i] = b.sndUna() + r.nextInt(200_000) - 100_000;
                    h.sackRight[i] = h.sackLeft[i] + r.nextInt(100_000) - 1000;
                }
            } else if (optMode == 2) {
                rawOptions = new byte[4 * r.nextInt(11)];
                r.nextBytes(rawOptions);
            }
            int hl = h.headerLength();
            if (rawOptions != null) {
                hl = 20 + rawOptions.length;
            }
            byte[] f = new byte[hl + len];
            MemorySegment m = MemorySegment.ofArray(f);
            h.write(m, 0);
            if (rawOptions != null) {
                BigEndian.u8(m, TcpHeader.DATA_OFFSET_OFFSET, (hl / 4) << 4);
                System.arraycopy(rawOptions, 0, f, 20, rawOptions.length);
            }
            if (len > 0) {
                System.arraycopy(truth, (int) off, f, hl, len);
            }
            // Keep timestamps honest in raw option bytes too: a raw TS option's TSval is replaced.
            TcpChecksum.fill(m, 0, f.length, h.srcIp, h.dstIp);
            parse.wrap(m, 0, f.length);
            if (parse.validate(f.length, h.srcIp, h.dstIp) == TcpHeader.Check.OK && parse.hasTimestamps()
                    && parse.tsVal() - lastTsVal[0] > 0) {
                return; // a future timestamp from raw bytes: not injected (see the class comment)
            }
            n.b.inject(f);
        }
    }

    @Provide
    Arbitrary<Integer> sizes() {
        return Arbitraries.integers().between(1, 200_000).withDistribution(RandomDistribution.uniform());
    }

    @Property(tries = 40)
    void injectedSegmentsNeverCorruptTheStream(@ForAll @IntRange(min = 0, max = 1_000_000) int seedInt,
                                               @ForAll boolean modern,
                                               @ForAll("sizes") int size) {
        run(seedInt, modern ? TcpConfig.modern() : TcpConfig.bsd44(), size, ROUNDS);
    }

    @Test
    void mostFuzzedTransfersComplete() {
        int complete = 0;
        int runs = 40;
        long injected = 0;
        long challenges = 0;
        long paws = 0;
        for (int seed = 0; seed < runs; seed++) {
            Outcome o = run(seed, seed % 2 == 0 ? TcpConfig.modern() : TcpConfig.bsd44(), 100_000, ROUNDS);
            complete += o.complete ? 1 : 0;
            injected += o.injected;
            challenges += o.counters.get(TcpCounters.Event.CHALLENGE_ACKS)
                    + o.counters.get(TcpCounters.Event.CHALLENGE_ACKS_SUPPRESSED);
            paws += o.counters.get(TcpCounters.Drop.PAWS);
        }
        System.out.println("fuzz: " + complete + "/" + runs + " complete, " + injected + " injected, " + challenges
                + " challenge ACKs (sent or suppressed), " + paws + " PAWS drops");
        assertTrue(complete >= runs * 3 / 4, complete + " of " + runs + " completed");
        assertTrue(challenges > 0);
    }

    /** A fixture in each state of RFC 9293's machine. */
    static Rig inState(int which, TcpConfig cfg) {
        switch (which) {
            case 0: return new Rig(cfg);
            case 1: { Rig r = new Rig(cfg); r.c.listen(0); return r; }
            case 2: return Rig.synSent(cfg, 0);
            case 3: return Rig.synReceived(cfg, 0);
            case 4: return Rig.established(cfg);
            case 5: { Rig r = Rig.established(cfg); r.c.close(20 * Rig.MS); return r; } // FIN-WAIT-1
            case 6: { Rig r = Rig.established(cfg); r.c.shutdownOutput(20 * Rig.MS);
                r.seg().ack(2).seq(1).in(30 * Rig.MS); return r; } // FIN-WAIT-2
            case 7: { Rig r = Rig.established(cfg); r.seg().ack(1).seq(1).fin().in(20 * Rig.MS); return r; } // CLOSE-WAIT
            case 8: { Rig r = Rig.established(cfg); r.c.close(20 * Rig.MS);
                r.seg().ack(1).seq(1).fin().in(30 * Rig.MS); return r; } // CLOSING
            case 9: { Rig r = Rig.established(cfg); r.seg().ack(1).seq(1).fin().in(20 * Rig.MS);
                r.c.close(30 * Rig.MS); return r; } // LAST-ACK
            default: { Rig r = Rig.established(cfg); r.c.close(20 * Rig.MS);
                r.seg().ack(2).seq(1).fin().in(30 * Rig.MS); return r; } // TIME-WAIT
        }
    }

    /**
     * Every state, any segment (random control bits, sequence and acknowledgment numbers near
     * the live ones or anywhere, windows, options, data), interleaved with timer expiries and
     * application calls: nothing throws, the stream stubs' own checks hold (bytes delivered within
     * the space offered, nothing after the FIN, acknowledgments monotonic and within what was
     * written), and every segment is accounted for.
     */
    @Property(tries = 120)
    void anySegmentInAnyState(@ForAll @IntRange(min = 0, max = 10) int state, @ForAll boolean modern,
                              @ForAll long seed) {
        TcpConfig cfg = (modern ? TcpConfig.modern() : Rig.plain()).toBuilder().receiveBuffer(8192).build();
        Rig r = inState(state, cfg);
        Random rnd = new Random(seed);
        long now = 100 * Rig.MS;
        for (int i = 0; i < 400; i++) {
            now += rnd.nextInt(50) * Rig.MS;
            switch (rnd.nextInt(12)) {
                case 0 -> r.timers(now);
                case 1 -> {
                    r.snd.write(rnd.nextInt(4000), i);
                    if (!r.snd.fin) {
                        r.c.send(now);
                    }
                }
                case 2 -> {
                    r.rcv.autoRead = rnd.nextBoolean();
                    r.rcv.read(rnd.nextInt(3000));
                    r.c.receiveWindowOpened(now);
                }
                case 3 -> {
                    if (rnd.nextInt(20) == 0) {
                        switch (rnd.nextInt(3)) {
                            case 0 -> r.c.close(now);
                            case 1 -> r.c.shutdownOutput(now);
                            default -> r.c.abort(now);
                        }
                    }
                }
                default -> randomSegment(r, rnd, now);
            }
        }
        r.timers(now + 3600 * Rig.S);
        TcpCounters c = r.c.counters();
        assertEquals(c.get(TcpCounters.Event.SEGS_RECEIVED), c.get(TcpCounters.Event.SEGS_PROCESSED) + c.drops().total());
        assertTrue(r.c.nextTimerNs() == TcpConnection.NEVER || r.c.nextTimerNs() > now,
                "timers all run: " + r.c.state());
    }

    static void randomSegment(Rig r, Random rnd, long now) {
        Rig.Seg s = r.seg();
        s.flags = rnd.nextInt(64);
        long rcv = Integer.toUnsignedLong(r.c.rcvNxt() - Rig.PEER_ISS);
        long una = Integer.toUnsignedLong(r.c.sndUna() - r.c.iss());
        s.seq = switch (rnd.nextInt(4)) {
            case 0 -> rnd.nextInt();
            case 1 -> rcv;
            default -> rcv + rnd.nextInt(20_000) - 5_000;
        };
        s.ack = switch (rnd.nextInt(4)) {
            case 0 -> rnd.nextInt();
            case 1 -> una;
            default -> una + rnd.nextInt(10_000) - 2_000;
        };
        s.window = rnd.nextInt(65536);
        if (rnd.nextBoolean()) {
            s.ts(rnd.nextInt(), rnd.nextInt());
        }
        if (rnd.nextInt(4) == 0) {
            s.mss(rnd.nextInt(65536)).wscale(rnd.nextInt(256));
            if (rnd.nextBoolean()) {
                s.sackOk();
            }
        }
        for (int k = rnd.nextInt(3); k > 0; k--) {
            long l = una + rnd.nextInt(20_000) - 2_000;
            s.sack(l, l + rnd.nextInt(5000) - 100);
        }
        if (rnd.nextInt(3) > 0) {
            s.data(rnd.nextInt(1500));
        }
        s.in(now);
    }
}

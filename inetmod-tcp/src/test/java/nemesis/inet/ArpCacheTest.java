package nemesis.inet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import nemesis.wire.Ipv4Address;
import nemesis.wire.MacAddress;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** The ARP cache by state, at exact times: every timer at t−1 and t. */
class ArpCacheTest {
    static final long S = 1_000_000_000L;
    static final int A = Ipv4Address.parse("10.0.0.2");
    static final int B = Ipv4Address.parse("10.0.0.3");
    static final int C = Ipv4Address.parse("10.0.0.4");
    static final long MAC_A = MacAddress.parse("02:00:00:00:00:02");
    static final long MAC_B = MacAddress.parse("02:00:00:00:00:03");

    /** Records what the cache asks for, as readable lines. */
    static class Recorder implements ArpCache.Actions {
        final List<String> log = new ArrayList<>();

        @Override
        public void sendRequest(int ip) {
            log.add("request " + Ipv4Address.toString(ip));
        }

        @Override
        public void transmitHeld(long handle, int ip, long mac) {
            log.add("transmit " + handle + " to " + MacAddress.toString(mac));
        }

        @Override
        public void dropHeld(long handle, int ip) {
            log.add("drop " + handle);
        }

        List<String> take() {
            List<String> l = List.copyOf(log);
            log.clear();
            return l;
        }
    }

    Recorder r;
    ArpCache cache;
    final long t0 = 5 * S;

    @BeforeEach
    void setUp() {
        r = new Recorder();
        cache = new ArpCache();
    }

    @Nested
    class Incomplete {
        @Test
        void aMissSendsOneRequestAndHoldsThePacket() {
            assertEquals(ArpCache.MISS, cache.lookup(A, t0));
            assertEquals(ArpCache.HELD, cache.resolve(A, 1, t0, r));
            assertEquals(List.of("request 10.0.0.2"), r.take());
            assertEquals(ArpCache.HELD, cache.resolve(A, 2, t0 + 10, r));
            assertEquals(List.of(), r.take(), "one request per interval, not per packet (RFC 1122 §2.3.2.1)");
            assertEquals(ArpCache.State.INCOMPLETE, cache.state(A));
            assertEquals(2, cache.heldCount(A));
            assertEquals(t0 + S, cache.nextTimerNs());
        }

        @Test
        void retriesEverySecondAndGivesUpAtExactlyTheThirdSecond() {
            cache.resolve(A, 1, t0, r);
            r.take();
            assertEquals(0, cache.expire(t0 + S - 1, r));
            assertEquals(List.of(), r.take());
            assertEquals(1, cache.expire(t0 + S, r));
            assertEquals(List.of("request 10.0.0.2"), r.take());
            assertEquals(t0 + 2 * S, cache.nextTimerNs());
            cache.expire(t0 + 2 * S - 1, r);
            assertEquals(List.of(), r.take());
            cache.expire(t0 + 2 * S, r);
            assertEquals(List.of("request 10.0.0.2"), r.take());
            cache.expire(t0 + 3 * S - 1, r);
            assertEquals(List.of(), r.take());
            assertEquals(ArpCache.State.INCOMPLETE, cache.state(A));
            cache.expire(t0 + 3 * S, r);
            assertEquals(List.of("drop 1"), r.take());
            assertEquals(ArpCache.State.FAILED, cache.state(A));
            assertEquals(3, cache.requestsSent());
            assertEquals(1, cache.failures());
            assertEquals(1, cache.heldFailureDrops());
            assertEquals(0, cache.heldTotal());
        }

        @Test
        void aFailedAddressIsUnreachableForExactlyTheHoldDown() {
            cache.resolve(A, 1, t0, r);
            long failed = t0 + 3 * S;
            for (long t = t0 + S; t <= failed; t += S) {
                cache.expire(t, r);
            }
            r.take();
            assertEquals(failed + 20 * S, cache.nextTimerNs());
            assertEquals(ArpCache.UNREACHABLE, cache.resolve(A, 2, failed + 20 * S - 1, r));
            assertEquals(List.of(), r.take(), "the handle is not kept: the caller drops it");
            assertEquals(0, cache.expire(failed + 20 * S - 1, r));
            assertEquals(1, cache.expire(failed + 20 * S, r));
            assertEquals(ArpCache.State.FREE, cache.state(A));
            assertEquals(ArpCache.HELD, cache.resolve(A, 3, failed + 20 * S, r));
            assertEquals(List.of("request 10.0.0.2"), r.take());
            assertEquals(1, cache.unreachableAnswers());
        }

        @Test
        void theHoldDownEndsOnTimeEvenIfExpireHasNotRun() {
            cache.resolve(A, 1, t0, r);
            for (long t = t0 + S; t <= t0 + 3 * S; t += S) {
                cache.expire(t, r);
            }
            r.take();
            assertEquals(ArpCache.HELD, cache.resolve(A, 2, t0 + 23 * S, r));
            assertEquals(List.of("request 10.0.0.2"), r.take());
        }

        @Test
        void withoutHoldDownAFailedAddressIsForgotten() {
            cache = new ArpCache(ArpCache.Config.DEFAULT.withHoldDownNs(0));
            cache.resolve(A, 1, t0, r);
            for (long t = t0 + S; t <= t0 + 3 * S; t += S) {
                cache.expire(t, r);
            }
            assertEquals(ArpCache.State.FREE, cache.state(A));
            assertEquals(ArpCache.NEVER, cache.nextTimerNs());
        }

        @Test
        void moreThanTheHoldLimitDropsTheOldest() {
            for (long h = 1; h <= 6; h++) {
                assertEquals(ArpCache.HELD, cache.resolve(A, h, t0, r));
            }
            assertEquals(List.of("request 10.0.0.2", "drop 1", "drop 2"), r.take());
            assertEquals(4, cache.heldCount(A));
            assertEquals(2, cache.heldOverflowDrops());
            cache.learn(A, MAC_A, t0 + 100, r);
            assertEquals(List.of("transmit 3 to 02:00:00:00:00:02", "transmit 4 to 02:00:00:00:00:02",
                    "transmit 5 to 02:00:00:00:00:02", "transmit 6 to 02:00:00:00:00:02"), r.take());
        }

        @Test
        void aHoldLimitOfOneKeepsTheNewestLike44Bsd() {
            cache = new ArpCache(ArpCache.Config.DEFAULT.withHoldLimit(1));
            cache.resolve(A, 1, t0, r);
            cache.resolve(A, 2, t0, r);
            assertEquals(List.of("request 10.0.0.2", "drop 1"), r.take());
            cache.update(A, MAC_A, t0, r);
            assertEquals(List.of("transmit 2 to 02:00:00:00:00:02"), r.take());
        }
    }

    @Nested
    class Complete {
        @BeforeEach
        void resolved() {
            cache.resolve(A, 1, t0, r);
            cache.resolve(A, 2, t0, r);
            assertTrue(cache.learn(A, MAC_A, t0 + 1000, r));
        }

        @Test
        void theReplyReleasesTheHeldPacketsInOrder() {
            assertEquals(List.of("request 10.0.0.2", "transmit 1 to 02:00:00:00:00:02", "transmit 2 to 02:00:00:00:00:02"), r.take());
            assertEquals(MAC_A, cache.lookup(A, t0 + 1000));
            assertEquals(MAC_A, cache.resolve(A, 3, t0 + 2000, r));
            assertEquals(List.of(), r.take(), "a hit keeps no handle and asks for nothing");
            assertEquals(1, cache.resolved());
        }

        @Test
        void anEntryLivesExactlyItsLifetime() {
            long born = t0 + 1000;
            long dies = born + 60 * S;
            assertEquals(dies, cache.nextTimerNs());
            assertEquals(MAC_A, cache.lookup(A, dies - 1));
            assertEquals(ArpCache.MISS, cache.lookup(A, dies), "dead at its deadline even before expire() runs");
            assertEquals(0, cache.expire(dies - 1, r));
            assertEquals(1, cache.expire(dies, r));
            assertEquals(ArpCache.State.FREE, cache.state(A));
            assertEquals(1, cache.expirations());
            assertEquals(ArpCache.NEVER, cache.nextTimerNs());
        }

        @Test
        void sendingAfterTheLifetimeResolvesAgainEvenBeforeExpireRuns() {
            r.take();
            long dies = t0 + 1000 + 60 * S;
            assertEquals(ArpCache.HELD, cache.resolve(A, 3, dies, r));
            assertEquals(List.of("request 10.0.0.2"), r.take());
            assertEquals(ArpCache.State.INCOMPLETE, cache.state(A));
        }

        @Test
        void hearingTheAddressAgainRenewsTheLifetime() {
            long again = t0 + 30 * S;
            assertTrue(cache.update(A, MAC_B, again, r));
            assertEquals(MAC_B, cache.lookup(A, again + 60 * S - 1));
            assertEquals(ArpCache.MISS, cache.lookup(A, again + 60 * S));
        }

        @Test
        void updateCreatesNothing() {
            assertFalse(cache.update(B, MAC_B, t0, r));
            assertEquals(ArpCache.State.FREE, cache.state(B));
        }
    }

    @Nested
    class StaticAndLimits {
        @Test
        void staticEntriesNeverExpireAndIgnoreLearning() {
            cache.resolve(A, 9, t0, r);
            assertTrue(cache.putStatic(A, MAC_A, r));
            assertEquals(List.of("request 10.0.0.2", "transmit 9 to 02:00:00:00:00:02"), r.take());
            cache.learn(A, MAC_B, t0, r);
            assertEquals(MAC_A, cache.lookup(A, Long.MAX_VALUE - 1));
            assertEquals(ArpCache.NEVER, cache.nextTimerNs());
            assertTrue(cache.remove(A, r));
            assertEquals(ArpCache.MISS, cache.lookup(A, t0));
        }

        @Test
        void aFullTableEvictsTheDeadThenTheOldestResolvedThenTheOldestWaiting() {
            cache = new ArpCache(ArpCache.Config.DEFAULT.withCapacity(2));
            cache.learn(A, MAC_A, t0, r);
            cache.learn(B, MAC_B, t0 + 1, r);
            cache.resolve(C, 7, t0 + 2, r);               // evicts A, the resolved entry nearest its end
            assertEquals(ArpCache.State.FREE, cache.state(A));
            assertEquals(ArpCache.State.COMPLETE, cache.state(B));
            cache.resolve(A, 8, t0 + 3, r);               // evicts B
            assertEquals(ArpCache.State.FREE, cache.state(B));
            r.take();
            cache.resolve(B, 9, t0 + 4, r);               // only waiting entries: C, the one nearest giving up, goes
            assertEquals(List.of("drop 7", "request 10.0.0.3"), r.take());
            assertEquals(3, cache.evictions());
            assertEquals(1, cache.heldEvictionDrops());
            assertEquals(2, cache.size());
        }

        @Test
        void aTableOfStaticEntriesRefuses() {
            cache = new ArpCache(ArpCache.Config.DEFAULT.withCapacity(1));
            cache.putStatic(A, MAC_A, r);
            assertEquals(ArpCache.UNREACHABLE, cache.resolve(B, 1, t0, r));
            assertFalse(cache.learn(B, MAC_B, t0, r));
            assertEquals(MAC_A, cache.lookup(A, t0));
        }

        @Test
        void actionsMayNotCallBackIn() {
            ArpCache.Actions reentrant = new Recorder() {
                @Override
                public void sendRequest(int ip) {
                    cache.learn(ip, MAC_A, t0, this);
                }
            };
            assertThrows(IllegalStateException.class, () -> cache.resolve(A, 1, t0, reentrant));
            assertEquals(ArpCache.HELD, cache.resolve(B, 2, t0, r), "the cache is usable afterwards");
        }

        @Test
        void badConfigurationsAreRefused() {
            assertThrows(IllegalArgumentException.class, () -> ArpCache.Config.DEFAULT.withCapacity(0));
            assertThrows(IllegalArgumentException.class, () -> ArpCache.Config.DEFAULT.withHoldLimit(0));
            assertThrows(IllegalArgumentException.class, () -> ArpCache.Config.DEFAULT.withRetry(0, 3));
        }
    }

    /**
     * Random traffic on a small table: every handle the cache kept comes back exactly once
     * (transmitted to the address learnt, or dropped), handles it did not keep never come back,
     * no address holds more than the limit, and a hit is always the latest address heard, heard
     * less than a lifetime ago.
     */
    @Property(tries = 300)
    void everyHeldPacketComesBackExactlyOnce(@ForAll long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        ArpCache.Config config = new ArpCache.Config(1 + rnd.nextInt(5), 3 * S, S / 2, 1 + rnd.nextInt(3),
                rnd.nextInt(3) * S, 1 + rnd.nextInt(3));
        ArpCache c = new ArpCache(config);
        int[] ips = {A, B, C, A + 7, A + 8, A + 9};
        Set<Long> kept = new HashSet<>();
        Set<Long> returned = new HashSet<>();
        Map<Integer, long[]> heard = new HashMap<>();   // ip -> {mac, time}
        long[] learning = {-1, -1};                      // ip, mac of the learn in progress
        ArpCache.Actions actions = new ArpCache.Actions() {
            @Override
            public void sendRequest(int ip) {
            }

            @Override
            public void transmitHeld(long handle, int ip, long mac) {
                assertTrue(kept.contains(handle) && returned.add(handle), "handle " + handle + " returned twice or never kept");
                assertEquals(learning[0], ip);
                assertEquals(learning[1], mac);
            }

            @Override
            public void dropHeld(long handle, int ip) {
                assertTrue(kept.contains(handle) && returned.add(handle), "handle " + handle + " returned twice or never kept");
            }
        };
        long now = 0;
        long handle = 0;
        for (int step = 0; step < 400; step++) {
            int ip = ips[rnd.nextInt(ips.length)];
            switch (rnd.nextInt(6)) {
                case 0, 1 -> {
                    long h = handle++;
                    long answer = c.resolve(ip, h, now, actions);
                    if (answer == ArpCache.HELD) {
                        kept.add(h);
                    } else if (answer >= 0) {
                        assertModel(heard, ip, answer, now, config);
                    }
                }
                case 2 -> {
                    long mac = rnd.nextLong() & MacAddress.MASK;
                    learning[0] = ip;
                    learning[1] = mac;
                    boolean hit = rnd.nextBoolean() ? c.learn(ip, mac, now, actions) : c.update(ip, mac, now, actions);
                    if (hit) {
                        heard.put(ip, new long[] {mac, now});
                    }
                }
                case 3 -> {
                    long mac = c.lookup(ip, now);
                    if (mac != ArpCache.MISS) {
                        assertModel(heard, ip, mac, now, config);
                    }
                }
                case 4 -> {
                    now += rnd.nextLong(2 * S);
                    if (rnd.nextBoolean()) {
                        long t = c.nextTimerNs();
                        now = t == ArpCache.NEVER ? now : Math.max(now, t - 1 + rnd.nextInt(2));
                    }
                    c.expire(now, actions);
                }
                default -> {
                    if (rnd.nextInt(10) == 0) {
                        c.remove(ip, actions);
                    }
                }
            }
            for (int x : ips) {
                assertTrue(c.heldCount(x) <= config.holdLimit());
            }
            assertEquals(kept.size() - returned.size(), c.heldTotal());
        }
        c.clear(actions);
        assertEquals(kept, returned);
        assertEquals(0, c.size());
    }

    static void assertModel(Map<Integer, long[]> heard, int ip, long mac, long now, ArpCache.Config config) {
        long[] h = heard.get(ip);
        assertTrue(h != null, "a hit for an address never heard");
        assertEquals(h[0], mac);
        assertTrue(now - h[1] < config.lifetimeNs(), "a hit past the lifetime");
    }
}

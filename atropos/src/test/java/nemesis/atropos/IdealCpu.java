package nemesis.atropos;

import java.util.ArrayList;
import java.util.List;

/**
 * Drives an {@link Atropos} like a kernel with no costs whose domains are all CPU-bound (or block
 * when told to), and records what ran: the pure scheduler, exercised without threads.
 */
final class IdealCpu {
    record Run(int id, long fromNs, long toNs, boolean extra, ActivationReason reason, boolean runHeapEmpty) {
    }

    final Atropos<String> atropos;
    final List<Sdom<String>> sdoms = new ArrayList<>();
    final List<Run> runs = new ArrayList<>();
    long now;

    IdealCpu(Flavour flavour, long capPpb) {
        atropos = new Atropos<>(flavour, capPpb);
    }

    Sdom<String> admit(String name, Qos qos) throws AdmissionException {
        Sdom<String> s = atropos.admit(name, qos, now);
        sdoms.add(s);
        return s;
    }

    /** Runs until {@code endNs}: each chosen domain runs until the next timer. */
    void runUntil(long endNs) {
        Sdom<String> cur = atropos.schedule(now, 0, false, Atropos.NEVER);
        while (now < endNs) {
            long next = Math.min(atropos.nextTimerNs(), endNs);
            if (cur != null) {
                runs.add(new Run(cur.id(), now, next, atropos.currentIsExtra(), atropos.reason(),
                        atropos.runnableCount() == 0));
            }
            long ran = cur == null ? 0 : next - now;
            now = next;
            cur = atropos.schedule(now, ran, false, Atropos.NEVER);
        }
    }

    long received(int id, long fromNs, long toNs) {
        long sum = 0;
        for (Run r : runs) {
            if (r.id == id) {
                sum += Math.max(0, Math.min(r.toNs, toNs) - Math.max(r.fromNs, fromNs));
            }
        }
        return sum;
    }

    long extraOf(int id) {
        long sum = 0;
        for (Run r : runs) {
            if (r.id == id && r.extra) {
                sum += r.toNs - r.fromNs;
            }
        }
        return sum;
    }
}

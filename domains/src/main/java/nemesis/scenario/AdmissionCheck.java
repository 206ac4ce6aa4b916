package nemesis.scenario;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import nemesis.atropos.AdmissionException;
import nemesis.atropos.Atropos;
import nemesis.atropos.Flavour;
import nemesis.atropos.Qos;
import nemesis.atropos.Sdom;

/**
 * Replays a scenario's CPU reservations in time order through a real {@link Atropos}, so a file is
 * refused exactly when the scheduler would refuse one of its reservations during the run.
 *
 * <p>At equal times leaves come first (a domain that stops frees its share for one starting then),
 * then changes, then starts; within each kind, file order. A change at a domain's own start time
 * is folded into the start: the domain is admitted with the changed reservation.
 */
final class AdmissionCheck {

    /** Where a reservation was written, for the error. */
    record Source(String field, int line) {
    }

    /** A domain's reservations over time; {@code stopNs} null when it runs to the end. */
    record Timeline(String owner, long startNs, Long stopNs, Qos cpu, Source cpuSource, List<Change> changes) {
    }

    record Change(long atNs, Qos cpu, Source source) {
    }

    /** Same as {@link ScenarioError} without the file. */
    record Refusal(Source source, String message) {
    }

    private enum Kind { LEAVE, CHANGE, START }

    private record Event(long timeNs, Kind kind, int domain, int seq, Qos cpu, Source source) {
    }

    private AdmissionCheck() {
    }

    static List<Refusal> check(long capPpb, List<Timeline> domains) {
        List<Event> events = new ArrayList<>();
        for (int d = 0; d < domains.size(); d++) {
            Timeline t = domains.get(d);
            Qos startCpu = t.cpu();
            Source startSource = t.cpuSource();
            for (int c = 0; c < t.changes().size(); c++) {
                Change ch = t.changes().get(c);
                if (ch.atNs() == t.startNs()) {
                    startCpu = ch.cpu();
                    startSource = ch.source();
                } else {
                    events.add(new Event(ch.atNs(), Kind.CHANGE, d, c, ch.cpu(), ch.source()));
                }
            }
            events.add(new Event(t.startNs(), Kind.START, d, 0, startCpu, startSource));
            if (t.stopNs() != null) {
                events.add(new Event(t.stopNs(), Kind.LEAVE, d, 0, null, null));
            }
        }
        events.sort(Comparator.comparingLong(Event::timeNs).thenComparing(Event::kind)
                .thenComparingInt(Event::domain).thenComparingInt(Event::seq));

        Atropos<String> cpu = new Atropos<>(Flavour.CPU, capPpb);
        Map<Integer, Sdom<String>> admitted = new HashMap<>();
        List<Refusal> refusals = new ArrayList<>();
        for (Event e : events) {
            Sdom<String> s = admitted.get(e.domain());
            try {
                switch (e.kind()) {
                    case START -> admitted.put(e.domain(), cpu.admit(domains.get(e.domain()).owner(), e.cpu(), e.timeNs()));
                    // A domain refused at its start never runs: its later events mean nothing.
                    case CHANGE -> {
                        if (s != null) {
                            cpu.setQos(s, e.cpu());
                        }
                    }
                    case LEAVE -> {
                        if (s != null) {
                            cpu.remove(s);
                            admitted.remove(e.domain());
                        }
                    }
                }
            } catch (AdmissionException refused) {
                String when = e.timeNs() > 0 ? "at " + Quantities.formatNs(e.timeNs()) + ": " : "";
                refusals.add(new Refusal(e.source(), when + refused.getMessage()));
            }
        }
        return refusals;
    }
}

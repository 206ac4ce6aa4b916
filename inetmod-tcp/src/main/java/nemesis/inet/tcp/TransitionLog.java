package nemesis.inet.tcp;

import java.util.ArrayList;
import java.util.List;

/** A {@link TcpListener} that records each transition as {@code "A=>B"} with its time (for tests and traces). */
public final class TransitionLog implements TcpListener {
    /** One transition. */
    public record Entry(TcpState from, TcpState to, long nowNs) {
        @Override
        public String toString() {
            return from.rfcName() + "=>" + to.rfcName() + "@" + nowNs;
        }
    }

    private final List<Entry> entries = new ArrayList<>();
    private final TcpListener next;

    public TransitionLog() {
        this(TcpListener.NONE);
    }

    /** Records, then passes each transition on to {@code next}. */
    public TransitionLog(TcpListener next) {
        this.next = next;
    }

    @Override
    public void stateChanged(TcpConnection c, TcpState from, TcpState to, long nowNs) {
        entries.add(new Entry(from, to, nowNs));
        next.stateChanged(c, from, to, nowNs);
    }

    public List<Entry> entries() {
        return entries;
    }

    /** The transitions as {@code "A=>B"}, without times. */
    public List<String> arrows() {
        List<String> l = new ArrayList<>();
        for (Entry e : entries) {
            l.add(e.from.rfcName() + "=>" + e.to.rfcName());
        }
        return l;
    }

    public void clear() {
        entries.clear();
    }

    @Override
    public String toString() {
        return entries.toString();
    }
}

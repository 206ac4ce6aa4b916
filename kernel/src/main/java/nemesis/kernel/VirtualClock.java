package nemesis.kernel;

/** Discrete-event time: a number the kernel advances. Only the CPU baton holder touches it. */
public final class VirtualClock implements Clock {
    private long nowNs;

    @Override
    public long nowNs() {
        return nowNs;
    }

    @Override
    public boolean isVirtual() {
        return true;
    }

    void advanceTo(long tNs) {
        if (tNs < nowNs) {
            throw new IllegalStateException("virtual time went backwards: " + tNs + " < " + nowNs);
        }
        nowNs = tNs;
    }
}

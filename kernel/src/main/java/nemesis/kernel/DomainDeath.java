package nemesis.kernel;

/**
 * Thrown out of a kernel entry point into a thread of a domain that was killed or of a run that is
 * over, to unwind it. Programs must let it pass (do not catch {@code Throwable} and carry on).
 */
public final class DomainDeath extends Error {
    static final DomainDeath INSTANCE = new DomainDeath();

    private DomainDeath() {
        super("domain is dead or the run is over", null, false, false);
    }
}

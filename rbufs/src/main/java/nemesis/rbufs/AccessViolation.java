package nemesis.rbufs;

/** A domain touched memory it has no right to. Nothing was changed. */
public final class AccessViolation extends RuntimeException {
    public AccessViolation(String message) {
        super(message);
    }
}

package nemesis.inet.flowman;

/** A local port another flow holds. */
public final class PortInUseException extends RuntimeException {
    public PortInUseException(String message) {
        super(message);
    }
}

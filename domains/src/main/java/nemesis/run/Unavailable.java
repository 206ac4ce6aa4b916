package nemesis.run;

/**
 * What a run needs from this machine is missing (root, {@code /dev/net/tun}, a tool): the run
 * stops before it starts, and the message says what to do. Not a bug: no stack trace.
 */
public final class Unavailable extends java.io.IOException {
    public Unavailable(String message) {
        super(message);
    }
}

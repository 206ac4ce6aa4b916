package nemesis.programs;

/** The kinds of value a program argument takes in a scenario file. */
public enum ArgType {
    /** {@code 10ms}, {@code 110us}, {@code 2s}, {@code 500ns}: a {@code Long} of nanoseconds. */
    DURATION,
    /** {@code 10Mbit/s}, {@code 1Gbit/s}: a {@code Long} of bits per second. */
    RATE,
    /** A whole number, {@code Long}; may be written with a size suffix ({@code 64KiB}, {@code 1MB}). */
    INTEGER,
    /** {@code true} / {@code false}: a {@code Boolean}. */
    BOOLEAN,
    /** Any scalar, as a {@code String}. */
    STRING,
    /** {@code HOST:PORT}, where HOST is {@code peer} or an IPv4 address: a {@code String}. */
    ENDPOINT
}

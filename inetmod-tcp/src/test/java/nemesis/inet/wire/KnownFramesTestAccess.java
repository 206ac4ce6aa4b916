package nemesis.inet.wire;

/** The known frames, for tests in other packages. */
public final class KnownFramesTestAccess {
    public static final String UDP_FRAME = KnownFramesTest.UDP_FRAME;
    public static final String ICMP_FRAME = KnownFramesTest.ICMP_FRAME;

    private KnownFramesTestAccess() {
    }
}

package nemesis.drivers.sim;

/**
 * Fault probabilities per frame, each in [0, 1], applied independently to each frame in each
 * direction of an {@link EthernetLink}. See {@link EthernetLink} for what each fault does.
 *
 * @param loss      the frame occupies the wire but is not delivered
 * @param duplicate a second copy is delivered right after the first
 * @param reorder   the frame is held back 1..4 of its own serialization times
 * @param corrupt   1..3 bits flipped after the Ethernet header
 */
public record Faults(double loss, double duplicate, double reorder, double corrupt) {
    public static final Faults NONE = new Faults(0, 0, 0, 0);

    public Faults {
        check("loss", loss);
        check("duplicate", duplicate);
        check("reorder", reorder);
        check("corrupt", corrupt);
    }

    public boolean any() {
        return loss > 0 || duplicate > 0 || reorder > 0 || corrupt > 0;
    }

    private static void check(String name, double p) {
        if (!(p >= 0 && p <= 1)) { // also refuses NaN
            throw new IllegalArgumentException("fault probability " + name + " must be in [0, 1]: " + p);
        }
    }
}

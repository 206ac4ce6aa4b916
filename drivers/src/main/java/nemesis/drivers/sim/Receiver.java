package nemesis.drivers.sim;

/** The NIC at one end of an {@link EthernetLink}: told of each frame that arrives. */
@FunctionalInterface
public interface Receiver {
    /**
     * A whole frame arrived at {@code arrivalNs} (model time: the kernel may run this a little
     * later on a real clock). The receiver owns {@code frame} from now on and must
     * {@link Frame#release()} it when done; it must not block.
     */
    void onFrame(Frame frame, long arrivalNs);
}

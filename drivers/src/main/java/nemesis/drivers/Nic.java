package nemesis.drivers;

import nemesis.drivers.sim.Frame;
import nemesis.kernel.EventCount;

/**
 * A network card as the driver domain sees it: transmit descriptors, a receive ring, and an
 * interrupt. Cards are devices, not domains: they act in kernel context (alarms, interrupts) and
 * tell the driver by advancing its interrupt event count; the driver's threads then drain
 * {@link #pollTxDone()} and {@link #pollReceived()}.
 */
public interface Nic {
    String name();

    long mac();

    int mtu();

    /** Transmit descriptors: frames the card holds at once (de4x5: 31, 3c509: 1). */
    int txDescriptors();

    /** Connects the card's interrupt to an event count of the driver domain. */
    void attach(EventCount interrupt);

    /** A frame buffer to fill for {@link #transmit}, or null if the card has none free. */
    Frame allocateTx();

    /** Hands a filled frame to the card, which reports {@code token} through {@link #pollTxDone} when sent. */
    void transmit(Frame frame, int token);

    /** The token of a frame the card has finished sending, or -1. */
    int pollTxDone();

    /** A frame the card received (the caller releases it), or null. */
    Frame pollReceived();

    /** Frames the card dropped because its receive ring was full. */
    long rxOverruns();
}

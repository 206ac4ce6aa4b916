package nemesis.drivers;

import java.util.ArrayDeque;
import nemesis.drivers.sim.End;
import nemesis.drivers.sim.EthernetLink;
import nemesis.drivers.sim.Frame;
import nemesis.kernel.EventCount;
import nemesis.kernel.Kernel;

/**
 * A card on the simulated Ethernet, in virtual (or real) time: frames handed to it go onto the
 * {@link EthernetLink} at one end; the link tells it when each is done and when frames arrive,
 * through kernel alarms, and the card interrupts the driver.
 */
public final class SimNic implements Nic {
    private final String name;
    private final long mac;
    private final int mtu;
    private final int txDescriptors;
    private final int rxRing;
    private final EthernetLink link;
    private final End end;
    private final Kernel kernel;
    private EventCount interrupt;
    private final Runnable transmittedAlarm = this::transmitted;

    /** Frames on their way out, in order, with the time each is done: one alarm at a time. */
    private final long[] doneAt;
    private final int[] doneToken;
    private int doneHead;
    private int doneCount;
    private boolean alarmArmed;
    private final int[] completed;
    private int completedHead;
    private int completedCount;
    private final ArrayDeque<Frame> received;
    private long rxOverruns;

    public SimNic(String name, long mac, int mtu, int txDescriptors, int rxRing, EthernetLink link, End end,
                  Kernel kernel) {
        this.name = name;
        this.mac = mac;
        this.mtu = mtu;
        this.txDescriptors = txDescriptors;
        this.rxRing = rxRing;
        this.link = link;
        this.end = end;
        this.kernel = kernel;
        this.doneAt = new long[txDescriptors];
        this.doneToken = new int[txDescriptors];
        this.completed = new int[txDescriptors];
        this.received = new ArrayDeque<>(rxRing);
        link.attach(end, this::arrived);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public long mac() {
        return mac;
    }

    @Override
    public int mtu() {
        return mtu;
    }

    @Override
    public int txDescriptors() {
        return txDescriptors;
    }

    @Override
    public void attach(EventCount irq) {
        this.interrupt = irq;
    }

    @Override
    public Frame allocateTx() {
        return link.pool().allocate();
    }

    @Override
    public void transmit(Frame frame, int token) {
        if (doneCount == txDescriptors) {
            throw new IllegalStateException(name + ": all " + txDescriptors + " transmit descriptors are busy");
        }
        long done = link.send(end, frame, kernel.clock().nowNs());
        int at = (doneHead + doneCount) % txDescriptors;
        doneAt[at] = done;
        doneToken[at] = token;
        doneCount++;
        if (!alarmArmed) {
            alarmArmed = true;
            kernel.at(done, transmittedAlarm);
        }
    }

    /** Alarm: every frame done by now completes; the driver is interrupted; re-arm for the next. */
    private void transmitted() {
        long now = kernel.clock().nowNs();
        while (doneCount > 0 && doneAt[doneHead] <= now) {
            completed[(completedHead + completedCount) % txDescriptors] = doneToken[doneHead];
            completedCount++;
            doneHead = (doneHead + 1) % txDescriptors;
            doneCount--;
        }
        alarmArmed = doneCount > 0;
        if (alarmArmed) {
            kernel.at(doneAt[doneHead], transmittedAlarm);
        }
        raise();
    }

    @Override
    public int pollTxDone() {
        if (completedCount == 0) {
            return -1;
        }
        int t = completed[completedHead];
        completedHead = (completedHead + 1) % txDescriptors;
        completedCount--;
        return t;
    }

    private void arrived(Frame f, long arrivalNs) {
        if (received.size() >= rxRing) {
            rxOverruns++;
            f.release();
            return;
        }
        received.add(f);
        raise();
    }

    @Override
    public Frame pollReceived() {
        return received.poll();
    }

    @Override
    public long rxOverruns() {
        return rxOverruns;
    }

    private void raise() {
        if (interrupt != null) {
            kernel.signal(interrupt, 1);
        }
    }

    @Override
    public String toString() {
        return name;
    }
}

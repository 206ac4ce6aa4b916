package nemesis.rbufs;

import nemesis.kernel.DomainContext;

/**
 * An I/O channel between a master (who allocates the data area and puts first) and a slave (who
 * gets first and puts back): two FIFOs, one per direction. The mode says what travels and who may
 * write the area: <ul>
 * <li>{@link Mode#RX} — the master puts empty buffers and gets them back full (master reads,
 *     slave writes);</li>
 * <li>{@link Mode#TX} — the master puts full buffers and gets them back empty (master writes,
 *     slave reads);</li>
 * <li>{@link Mode#DX} — full buffers both ways (both write).</li></ul>
 * A device driver offering a channel is its slave.
 */
public final class IoChannel {
    public enum Mode { RX, TX, DX }

    private final String name;
    private final Mode mode;
    private final RbufArea area;
    private final IoEndpoint master;
    private final IoEndpoint slave;

    private IoChannel(String name, Mode mode, RbufArea area, IoEndpoint master, IoEndpoint slave) {
        this.name = name;
        this.mode = mode;
        this.area = area;
        this.master = master;
        this.slave = slave;
    }

    /**
     * Opens a channel from {@code master} (the caller) to {@code slave}, with {@code slots} slots
     * per FIFO and a data area of {@code areaBytes} owned by the master and granted to the slave as
     * the mode says.
     */
    public static IoChannel open(String name, Mode mode, DomainContext master, DomainContext slave, int slots,
                                 long areaBytes) {
        Rights masterRights = mode == Mode.RX ? Rights.READ : Rights.READ_WRITE;
        Rights slaveRights = mode == Mode.TX ? Rights.READ : Rights.READ_WRITE;
        RbufArea area = RbufArea.allocate(master, name, areaBytes, masterRights);
        area.grant(slave, slaveRights);
        Fifo down = new Fifo(name + ".down", slots, master, slave);
        Fifo up = new Fifo(name + ".up", slots, slave, master);
        IoEndpoint m = new IoEndpoint(name + "@master", master, down, up, area);
        IoEndpoint s = new IoEndpoint(name + "@slave", slave, up, down, area);
        return new IoChannel(name, mode, area, m, s);
    }

    public String name() {
        return name;
    }

    public Mode mode() {
        return mode;
    }

    public RbufArea area() {
        return area;
    }

    public IoEndpoint master() {
        return master;
    }

    public IoEndpoint slave() {
        return slave;
    }

    @Override
    public String toString() {
        return "channel " + name + " (" + mode + ")";
    }
}

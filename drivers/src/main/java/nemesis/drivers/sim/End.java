package nemesis.drivers.sim;

/** The two ends of a point-to-point {@link EthernetLink}. */
public enum End {
    /** The emulated Nemesis host's NIC. */
    A,
    /** The simulated peer host. */
    B;

    public End other() {
        return this == A ? B : A;
    }
}

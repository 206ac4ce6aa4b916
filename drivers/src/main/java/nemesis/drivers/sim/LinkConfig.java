package nemesis.drivers.sim;

/**
 * The physics of an {@link EthernetLink}, the same in both directions.
 *
 * @param rateBps        bits per second on the wire, each direction (10 Mb/s = 10_000_000)
 * @param overheadBytes  bytes the wire carries per frame besides the frame itself; Ethernet:
 *                       preamble and SFD 8, CRC 4, inter-frame gap 12 = {@value #ETHERNET_OVERHEAD_BYTES}
 * @param padToMinimum   frames shorter than {@value #MIN_FRAME_BYTES} bytes (without CRC) occupy
 *                       that many on the wire, as the NIC pads them (IEEE 802.3 minimum of 64 with CRC)
 * @param propagationNs  one-way delay from the end of serialization to arrival at the far end
 * @param faults         fault injection, per frame and direction
 */
public record LinkConfig(long rateBps, int overheadBytes, boolean padToMinimum, long propagationNs, Faults faults) {
    public static final int ETHERNET_OVERHEAD_BYTES = 24;
    public static final int MIN_FRAME_BYTES = 60;

    public LinkConfig {
        if (rateBps <= 0) {
            throw new IllegalArgumentException("link rate must be > 0 bit/s: " + rateBps);
        }
        if (overheadBytes < 0) {
            throw new IllegalArgumentException("per-frame overhead must be >= 0 bytes: " + overheadBytes);
        }
        if (propagationNs < 0) {
            throw new IllegalArgumentException("propagation delay must be >= 0 ns: " + propagationNs);
        }
        if (faults == null) {
            throw new NullPointerException("faults (use Faults.NONE)");
        }
    }

    /** Ethernet framing (24 bytes overhead, short frames padded), no faults. */
    public static LinkConfig ethernet(long rateBps, long propagationNs) {
        return new LinkConfig(rateBps, ETHERNET_OVERHEAD_BYTES, true, propagationNs, Faults.NONE);
    }

    public LinkConfig withFaults(Faults f) {
        return new LinkConfig(rateBps, overheadBytes, padToMinimum, propagationNs, f);
    }

    /** Bytes a frame of {@code frameBytes} occupies on the wire, padding and overhead included. */
    public long wireBytes(int frameBytes) {
        int padded = padToMinimum ? Math.max(frameBytes, MIN_FRAME_BYTES) : frameBytes;
        return (long) padded + overheadBytes;
    }

    /** Serialization time: ceil(wireBytes * 8 * 1e9 / rateBps), in exact integer arithmetic. */
    public long serializationNs(int frameBytes) {
        long bitNs = Math.multiplyExact(wireBytes(frameBytes) * 8, 1_000_000_000L);
        return Math.ceilDiv(bitNs, rateBps);
    }
}

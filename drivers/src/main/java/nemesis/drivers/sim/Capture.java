package nemesis.drivers.sim;

import java.io.IOException;
import java.io.UncheckedIOException;
import nemesis.drivers.pcap.PcapWriter;

/**
 * A tap on an {@link EthernetLink}: sees each frame as it starts onto the wire, as sent, before
 * any fault (see {@link EthernetLink} for why).
 */
@FunctionalInterface
public interface Capture {
    /**
     * @param startNs start of serialization; calls come in order of it over both directions
     * @param frame   the frame as sent; read it here, do not keep or change it
     */
    void frame(long startNs, End from, Frame frame);

    /** Writes every frame to {@code pcap} with its start time; an I/O error becomes unchecked. */
    static Capture pcap(PcapWriter pcap) {
        return (startNs, from, frame) -> {
            try {
                pcap.write(startNs, frame.bytes(), 0, frame.length());
            } catch (IOException e) {
                throw new UncheckedIOException("pcap write failed", e);
            }
        };
    }
}

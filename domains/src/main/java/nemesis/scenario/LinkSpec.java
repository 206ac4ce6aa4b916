package nemesis.scenario;

import java.nio.file.Path;
import nemesis.atropos.Qos;

/**
 * The scenario's {@code link}: the Ethernet between the Nemesis host and its peer.
 *
 * @param rateBps       {@code rate}
 * @param delayNs       {@code delay}: one-way propagation (default 0)
 * @param overheadBytes {@code overhead}: bytes of preamble, inter-frame gap and CRC each frame
 *                      occupies on the wire besides itself (default 24)
 * @param loss          {@code faults.loss}, and so on: probabilities per frame
 * @param pcap          {@code pcap}: where to write a capture of the wire, or null
 * @param driverCpu     {@code driver}: the driver domain's CPU reservation, or null for the
 *                      default of the machine's card
 */
public record LinkSpec(long rateBps, long delayNs, int overheadBytes, double loss, double duplicate, double reorder,
                       double corrupt, Path pcap, Qos driverCpu) {
}

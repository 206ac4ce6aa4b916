package nemesis.scenario;

import java.nio.file.Path;
import java.util.List;

/**
 * A checked scenario file (see {@code docs/scenario.md} and the contract in architecture.md).
 * Every field is valid and every reservation admissible at every moment of the run.
 *
 * @param file       where it was read from
 * @param name       {@code name}, or the file name without extension
 * @param seed       {@code seed} (default 1), or {@code --seed}
 * @param clock      {@code clock}: virtual (default) or real
 * @param durationNs {@code duration}, or {@code --duration}
 * @param warmupNs   {@code warmup} (default 0), excluded from measured figures; less than duration
 * @param machine    {@code machine}: a built-in machine profile name (default p200-de4x5)
 * @param cpuCapPpb  {@code admission.cpu}: the CPU admission cap in parts per billion (default 98%)
 * @param txCapPpb   {@code admission.tx}: the cap on transmit reservations, of the wire (default 100%)
 * @param link       {@code link}, or null for a machine without a network
 * @param peer       {@code peer}, or null (a link without a peer has nobody to talk to)
 */
public record Scenario(Path file, String name, long seed, ClockKind clock, long durationNs, long warmupNs,
                       String machine, long cpuCapPpb, long txCapPpb, LinkSpec link, PeerSpec peer,
                       List<DomainSpec> domains) {

    public enum ClockKind { VIRTUAL, REAL }

    /** The same scenario with command-line overrides applied (null: keep). */
    public Scenario withOverrides(Long seedOverride, Long durationOverride) {
        return new Scenario(file, name, seedOverride != null ? seedOverride : seed, clock,
                durationOverride != null ? durationOverride : durationNs, warmupNs, machine, cpuCapPpb, txCapPpb,
                link, peer, domains);
    }
}

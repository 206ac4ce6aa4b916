package nemesis.scenario;

import java.util.List;
import nemesis.atropos.Qos;
import nemesis.programs.Args;

/**
 * One entry of {@code domains}.
 *
 * @param cpu     the CPU reservation; when {@code cpu} is omitted: extra time only
 *                (period 10ms, slice 0, extra true, latency 10ms: the Nemesis loader's default)
 * @param startNs {@code start} (default 0)
 * @param stopNs  {@code stop}: when the domain is killed; null to run to the end
 * @param changes {@code changes}: reservation changes at run time, in time order
 * @param tx      {@code tx}: the transmit reservation of the domain's flows, or null (extra time only)
 */
public record DomainSpec(String name, String program, Args args, Qos cpu, long startNs, Long stopNs,
                         List<QosChange> changes, Qos tx) {

    /** {@code changes[i]}: from {@code atNs}, the domain's CPU reservation is {@code cpu}. */
    public record QosChange(long atNs, Qos cpu) {
    }
}
